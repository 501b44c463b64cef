"""Security settings: the Content-Security-Policy, the docs behind a login, sessions of a
working day, the forwarded protocol believed only behind a proxy, SQLite in WAL mode."""

import importlib.util
import os

import pytest
from django.db.utils import ConnectionHandler
from django.test import Client, RequestFactory

from tests.conftest import verified_login
from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol


def settings_under(monkeypatch, **env) -> dict:
    """The base settings as a fresh process with these variables would compute them (the
    running settings stay as they are)."""
    for name in [n for n in os.environ if n.startswith("DJANGO_") and n != "DJANGO_DEBUG"]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    base = importlib.util.find_spec("config.settings.base")
    spec = importlib.util.spec_from_file_location("config.settings._probe", base.origin)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


# --- Content-Security-Policy ----------------------------------------------------------------


def assert_no_inline_script(policy: dict[str, list[str]]) -> None:
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


def test_the_admin_login_page_sends_a_policy_without_inline_script(db):
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    policy = csp(response)
    assert_no_inline_script(policy)
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_the_admin_itself_sends_the_policy(world):
    browser = verified_login(Client(), world.coordinator)  # the admin wants a second factor
    response = browser.get("/admin/network/membership/")
    assert response.status_code == 200
    assert_no_inline_script(csp(response))
    # Nothing in the admin's pages needs more: its scripts are files, none inline.
    assert "<script>" not in response.content.decode()


def test_the_api_docs_run_without_inline_script(api_as, world):
    client = api_as(world.member)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    policy = csp(page)
    assert_no_inline_script(policy)
    # Swagger UI's inline styles and data: icons, nothing else, are let through.
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"]
    html = page.content.decode()
    assert "<script>" not in html and "SwaggerUIBundle(" not in html
    # Its start-up script is a file of its own, from this service.
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_api_responses_carry_the_policy_too(api_as, world):
    response = api_as(world.member).get("/api/v1/me/")
    assert response.status_code == 200
    assert_no_inline_script(csp(response))
    anonymous = api_as(None).get("/api/v1/me/")
    assert anonymous.status_code == 401
    assert_no_inline_script(csp(anonymous))


# --- the schema and the docs behind a login -------------------------------------------------


def test_the_schema_is_refused_to_anyone_not_logged_in(api, db, settings):
    settings.API_DOCS_PUBLIC = False
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_docs_send_a_browser_not_logged_in_to_the_login_page(db, settings):
    settings.API_DOCS_PUBLIC = False
    for path in ("/api/docs/", "/api/docs/?script="):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/api/docs/")
        assert b"SwaggerUIBundle" not in response.content


@pytest.mark.parametrize("persona", ["member", "representative", "auditor"])
def test_the_schema_and_docs_are_served_to_anyone_logged_in(api_as, world, settings, persona):
    settings.API_DOCS_PUBLIC = False
    client = api_as(world.person(persona))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert client.get("/api/docs/").status_code == 200


def test_public_docs_are_served_to_anyone(api, db, settings):
    settings.API_DOCS_PUBLIC = True
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert Client().get("/api/docs/").status_code == 200
    assert Client().get("/api/docs/?script=").status_code == 200


def test_the_docs_are_private_unless_the_environment_says_otherwise(monkeypatch):
    assert settings_under(monkeypatch)["API_DOCS_PUBLIC"] is False
    assert settings_under(monkeypatch, DJANGO_API_DOCS_PUBLIC="1")["API_DOCS_PUBLIC"] is True


# --- sessions -------------------------------------------------------------------------------


def test_an_admin_session_ends_after_a_working_day(world, time_machine, settings):
    settings.WEB_IDLE_MINUTES = 0  # this is the limit of a session in use all day
    time_machine.move_to("2026-12-01 08:30 +0900", tick=False)
    secret, _codes = enrol(world.coordinator)  # the admin wants a second factor
    time_machine.move_to("2026-12-01 08:30:30 +0900", tick=False)  # a fresh code
    browser = Client()
    login = browser.post(
        "/admin/login/?next=/admin/",
        {
            "username": "coordinator",
            "password": PASSWORD,
            "otp": code_for(secret),
            "next": "/admin/",
        },
    )
    assert login.status_code == 302 and login["Location"] == "/admin/"
    cookie = browser.cookies["sessionid"]
    # A browser session cookie: closing the browser ends it too.
    assert cookie["max-age"] == "" and cookie["expires"] == ""

    time_machine.move_to("2026-12-01 18:00 +0900", tick=False)  # 9.5 hours on
    assert browser.get("/admin/").status_code == 200
    time_machine.move_to("2026-12-01 18:31 +0900", tick=False)  # 10 hours and a minute
    response = browser.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_session_length_comes_from_the_environment(monkeypatch):
    assert settings_under(monkeypatch)["SESSION_COOKIE_AGE"] == 10 * 3600
    assert settings_under(monkeypatch, DJANGO_SESSION_HOURS="8")["SESSION_COOKIE_AGE"] == 8 * 3600


# --- X-Forwarded-Proto ----------------------------------------------------------------------


def test_a_forwarded_protocol_is_not_believed_without_a_proxy(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert settings.NUM_PROXIES == 0
    assert request.is_secure() is False


def test_the_forwarded_protocol_is_believed_only_behind_a_declared_proxy(monkeypatch):
    direct = settings_under(monkeypatch)
    assert "SECURE_PROXY_SSL_HEADER" not in direct  # Django's default: None
    assert direct["REST_FRAMEWORK"]["NUM_PROXIES"] == 0
    proxied = settings_under(monkeypatch, DJANGO_NUM_PROXIES="1")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxied["REST_FRAMEWORK"]["NUM_PROXIES"] == 1


# --- SQLite ---------------------------------------------------------------------------------


def open_connection(database: dict):
    return ConnectionHandler({"default": database})["default"]


def test_a_sqlite_database_runs_in_wal_mode_with_a_busy_timeout(monkeypatch, tmp_path, db):
    database = settings_under(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")[
        "DATABASES"
    ]["default"]
    connection = open_connection(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20_000  # milliseconds
        # Transactions take the write lock when they begin, so an audited read that then
        # writes its access record waits for another writer instead of failing.
        assert connection.transaction_mode == "IMMEDIATE"
    finally:
        connection.close()


def test_the_busy_timeout_comes_from_the_environment(monkeypatch, tmp_path, db):
    database = settings_under(
        monkeypatch,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SQLITE_TIMEOUT="3",
    )["DATABASES"]["default"]
    connection = open_connection(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 3_000
    finally:
        connection.close()


def test_postgresql_gets_no_sqlite_options(monkeypatch):
    database = settings_under(monkeypatch, DATABASE_URL="postgres://u:p@db.example.jp:5432/renkei")[
        "DATABASES"
    ]["default"]
    assert "init_command" not in database.get("OPTIONS", {})
    assert "transaction_mode" not in database.get("OPTIONS", {})


def test_the_login_page_s_csrf_cookie_is_not_readable_by_scripts(db):
    response = Client().get("/login/")
    assert response.cookies["csrftoken"]["httponly"] is True
