"""The shell of the web pages, as a person relies on it: signing in (with the second factor
and the API's limits), setting up the second factor, the pledge before anything else, the
password, the idle timeout, refusals in words, the headers every page carries, the
language, and signing out."""

import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from network.models import ConfidentialityPledge
from signin import selectors as signin_selectors
from signin.forms import SignInForm
from tests.conftest import verified_login
from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/account/",
    "/account/password/",
    "/account/two-factor/",
    "/account/two-factor/qr.svg",
    "/pledge/",
    "/cases/",
    "/meetings/",
    "/meetings/feed/",
    "/roles/",
]
OTP_REQUIRED = (
    "認証アプリに表示されたコード（またはリカバリーコードのいずれか）を入力してください。"
)
INVALID_OTP = "ワンタイムコードが正しくありません。"
THROTTLED = "ログインの失敗が多すぎます。しばらくしてから再度お試しください。"
NEW_PASSWORD = "kH7#pQ2!vX9zLm"


@pytest.fixture
def clock(time_machine):
    """A stopped clock (one-time codes are computed from it); each code is accepted once,
    so a sign-in after enrolling moves it on a step (`clock.shift(30)`)."""
    time_machine.move_to("2026-12-01 10:00 +0900", tick=False)
    return time_machine


def log_in(client, username, *, password=PASSWORD, otp="", next_url="/", **extra):
    return client.post(
        "/login/",
        {"username": username, "password": password, "otp": otp, "next": next_url},
        **extra,
    )


def signed_in_as(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id is not None else None


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


# --- signing in ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_people_are_sent_to_the_login_page(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_a_password_alone_does_not_sign_in_someone_with_a_second_factor(client, world, clock):
    enrol(world.member)
    response = log_in(client, "member")
    assert response.status_code == 400
    assert OTP_REQUIRED in response.content.decode()
    assert signed_in_as(client) is None


def test_a_code_signs_in_and_verifies_the_session(client, world, clock):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    response = log_in(client, "member", otp=code_for(secret), next_url="/meetings/")
    assert response.status_code == 302
    assert response["Location"] == "/meetings/"
    assert signed_in_as(client) == world.member.pk
    assert DEVICE_ID_SESSION_KEY in client.session


def test_a_wrong_code_says_so_and_signs_nobody_in(client, world, clock):
    enrol(world.member)
    response = log_in(client, "member", otp="000000")
    assert response.status_code == 400
    assert INVALID_OTP in response.content.decode()
    assert signed_in_as(client) is None


def test_wrong_codes_count_against_the_username(client, world, clock, settings):
    with_rates(settings, login_user="3/minute", login="100/minute")
    secret, _codes = enrol(world.member)
    clock.shift(30)
    for _ in range(3):
        log_in(client, "member", otp="000000", REMOTE_ADDR="198.51.100.7")
    clock.shift(30)  # past django-otp's own back-off after failures, and a new code
    response = log_in(client, "member", otp=code_for(secret), REMOTE_ADDR="198.51.100.7")
    assert THROTTLED in response.content.decode()
    assert signed_in_as(client) is None
    # The owner, elsewhere, still signs in.
    response = log_in(client, "member", otp=code_for(secret), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    assert signed_in_as(client) == world.member.pk


def test_the_per_address_limit_applies_to_the_page(client, world, settings):
    with_rates(settings, login="3/minute")
    for i in range(3):
        assert log_in(client, f"user{i}", password="x").status_code == 400
    response = log_in(client, "colleague")  # the right password, no second factor yet
    assert response.status_code == 400
    assert THROTTLED in response.content.decode()
    assert signed_in_as(client) is None
    assert log_in(client, "colleague", REMOTE_ADDR="203.0.113.5").status_code == 302


def test_the_page_and_the_api_count_attempts_from_an_address_together(client, api, world):
    for i in range(20):  # the default `login` rate: 20 a minute
        api.post("/api/v1/auth/token/", {"username": f"user{i}", "password": "x"})
    response = log_in(client, "colleague")
    assert THROTTLED in response.content.decode()
    assert signed_in_as(client) is None


def test_the_admin_signs_in_with_the_same_form(client, world, clock):
    enrol(world.admin)
    assert isinstance(client.get("/admin/login/").context["form"], SignInForm)
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert OTP_REQUIRED in response.content.decode()
    assert signed_in_as(client) is None


# --- the second factor, where a network requires it ---------------------------------------


def test_someone_without_a_second_factor_is_sent_to_set_one_up(client, world):
    world.network.require_two_factor = True
    world.network.save()
    assert log_in(client, "member").status_code == 302  # no authenticator yet: password only
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=%2F"


def test_the_qr_code_is_drawn_here_while_setting_up(client, world):
    log_in(client, "member")
    assert client.get("/account/two-factor/qr.svg").status_code == 404  # nothing pending
    page = client.get("/account/two-factor/?next=/cases/")
    assert page.status_code == 200
    assert page.context["secret"] in page.content.decode()
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content


def test_confirming_with_a_code_shows_ten_recovery_codes_once(client, world, clock):
    log_in(client, "member")
    secret = client.get("/account/two-factor/").context["secret"]
    response = client.post(
        "/account/two-factor/", {"action": "confirm", "code": code_for(secret), "next": "/"}
    )
    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    assert len(codes) == 10
    body = response.content.decode()
    assert all(code in body for code in codes)
    assert DEVICE_ID_SESSION_KEY in client.session
    assert signin_selectors.two_factor_enabled(world.member)
    again = client.get("/account/two-factor/").content.decode()
    assert not any(code in again for code in codes)
    assert client.get("/").status_code == 302  # on to the pledge
    assert client.get("/").url.startswith("/pledge/")


def test_a_wrong_code_while_setting_up_is_an_error_on_the_field(client, world):
    log_in(client, "member")
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    body = response.content.decode()
    assert re.search(r'<input[^>]*name="code"[^>]*aria-invalid="true"', body)
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert not signin_selectors.two_factor_enabled(world.member)


# --- the pledge ---------------------------------------------------------------------------


@pytest.fixture
def unpledged(client, world):
    """The member, signed in with a second factor, without this year's pledge."""
    return verified_login(client, world.member)


def test_someone_without_this_year_s_pledge_is_sent_to_sign_it(unpledged, world):
    response = unpledged.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/pledge/?next=%2Fcases%2F"
    page = unpledged.get(response["Location"])
    assert page.status_code == 200
    assert world.network.name in page.content.decode()


def test_signing_the_pledge_brings_them_back(unpledged, world):
    network = world.network
    response = unpledged.post(
        "/pledge/",
        {"network": network.pk, "text_version": network.pledge_text_version, "next": "/cases/"},
        follow=True,
    )
    assert response.redirect_chain[-1] == ("/cases/", 302)
    assert response.status_code == 200
    assert ConfidentialityPledge.objects.filter(person=world.member, network=network).exists()


def test_a_network_not_theirs_is_not_found(unpledged, world):
    network = world.other_network
    response = unpledged.post(
        "/pledge/", {"network": network.pk, "text_version": network.pledge_text_version}
    )
    assert response.status_code == 404
    assert not ConfidentialityPledge.objects.filter(person=world.member).exists()


def test_a_changed_pledge_text_is_not_signed(unpledged, world):
    network = world.network
    response = unpledged.post(
        "/pledge/",
        {"network": network.pk, "text_version": network.pledge_text_version + 1, "next": "/"},
        follow=True,
    )
    assert "誓約文が改訂されています。" in response.content.decode()
    assert not ConfidentialityPledge.objects.filter(person=world.member).exists()


# --- the password -------------------------------------------------------------------------


def test_a_wrong_current_password_changes_nothing(page_as, world):
    client = page_as(world.member)
    response = client.post(
        "/account/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["old_password"]
    assert re.search(
        r'<input[^>]*name="old_password"[^>]*aria-invalid="true"', response.content.decode()
    )
    world.member.refresh_from_db()
    assert world.member.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(page_as, world):
    from tests.web.conftest import page_login

    elsewhere = page_login(Client(), world.member)
    client = page_as(world.member)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    world.member.refresh_from_db()
    assert world.member.check_password(NEW_PASSWORD)
    assert client.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302


# --- the idle timeout ---------------------------------------------------------------------


def test_a_session_unused_for_the_idle_time_ends(page_as, world, time_machine):
    time_machine.move_to("2026-12-01 09:00 +0900", tick=False)
    client = page_as(world.member)
    time_machine.move_to("2026-12-01 09:31 +0900", tick=False)
    response = client.get("/meetings/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/meetings/"
    assert signed_in_as(client) is None
    login = client.get(response["Location"])
    assert "30分間操作がなかったため、ログアウトしました。" in login.content.decode()


def test_activity_within_the_idle_time_keeps_the_session(page_as, world, time_machine):
    time_machine.move_to("2026-12-01 09:00 +0900", tick=False)
    client = page_as(world.member)
    for minute in ("09:29", "09:58", "10:27"):
        time_machine.move_to(f"2026-12-01 {minute} +0900", tick=False)
        assert client.get("/").status_code == 200


def test_the_idle_time_comes_from_the_settings(page_as, world, time_machine, settings):
    settings.WEB_IDLE_MINUTES = 5
    time_machine.move_to("2026-12-01 09:00 +0900", tick=False)
    client = page_as(world.member)
    time_machine.move_to("2026-12-01 09:06 +0900", tick=False)
    assert client.get("/").status_code == 302


def test_no_idle_time_when_turned_off(page_as, world, time_machine, settings):
    settings.WEB_IDLE_MINUTES = 0
    time_machine.move_to("2026-12-01 09:00 +0900", tick=False)
    client = page_as(world.member)
    time_machine.move_to("2026-12-01 12:00 +0900", tick=False)
    assert client.get("/").status_code == 200


# --- refusals, headers, language, signing out ---------------------------------------------


def _main(response) -> str:
    """The page's main content (the header around it marks where the address points)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_not_found_is_a_page_in_words_that_tells_nothing(page_as, world):
    client = page_as(world.member)
    first = client.get("/no-such-page/")
    second = client.get("/meetings/999999/")
    assert first.status_code == second.status_code == 404
    assert ">見つかりません</h1>" in first.content.decode()
    assert _main(first) == _main(second)


@pytest.mark.parametrize("path", ["/", "/login/", "/no-such-page/", "/account/"])
def test_pages_are_not_stored_and_allow_no_inline_script(page_as, world, path):
    response = page_as(world.member).get(path)
    assert "no-store" in response["Cache-Control"]
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_pages_are_in_japanese_until_switched_to_english(page_as, world):
    client = page_as(world.member)
    assert '<html lang="ja">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "<h1>Today</h1>" in body


def test_logging_out_is_a_post_and_ends_the_session(page_as, world):
    client = page_as(world.member)
    assert client.get("/logout/").status_code == 405
    assert signed_in_as(client) == world.member.pk
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_as(client) is None
    assert client.get("/").status_code == 302
