"""A new password ends the person's other sign-ins: every API token and every session, except
the session (or token) that changed one's own password. Through every path: a platform
admin setting someone's password in the admin, one's own change at /admin/password_change/,
the `password_set` service, and a plain save of the account (a management command, say)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies import services
from agencies.models import UserSession
from tests.conftest import verified_login
from tests.factories import PASSWORD

NEW_PASSWORD = "yuki-no-hi-no-shizuka-na-michi"


def browser_for(user) -> Client:
    # Signed in as the admin wants it (with a second factor), so the admin pages open.
    return verified_login(Client(), user)


def token_works(token) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code == 200


def session_works(browser) -> bool:
    return browser.get("/api/v1/me/").status_code == 200


def tokens_for(user, n=2) -> list[str]:
    return [AuthToken.objects.create(user=user)[1] for _ in range(n)]


def test_signing_in_indexes_the_session_and_signing_out_removes_it(world):
    browser = Client()
    assert browser.login(username="member", password=PASSWORD)
    key = browser.session.session_key
    assert UserSession.objects.filter(user=world.member, session_key=key).exists()
    browser.logout()
    assert not UserSession.objects.filter(session_key=key).exists()


def test_an_admin_setting_a_password_ends_every_sign_in_of_that_person(world):
    tokens = tokens_for(world.member)
    member_browser = browser_for(world.member)
    colleague_token = tokens_for(world.colleague, 1)[0]
    admin = browser_for(world.admin)

    response = admin.post(
        f"/admin/agencies/user/{world.member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    world.member.refresh_from_db()
    assert world.member.check_password(NEW_PASSWORD)

    assert not any(token_works(t) for t in tokens)
    assert not session_works(member_browser)
    assert not AuthToken.objects.filter(user=world.member).exists()
    assert not UserSession.objects.filter(user=world.member).exists()
    # Nobody else is touched: the admin's own session, the colleague's token.
    assert admin.get("/admin/").status_code == 200
    assert token_works(colleague_token)


def test_disabling_password_sign_in_in_the_admin_ends_every_sign_in_too(world):
    tokens = tokens_for(world.member)
    response = browser_for(world.admin).post(
        f"/admin/agencies/user/{world.member.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302, response.content
    world.member.refresh_from_db()
    assert not world.member.has_usable_password()
    assert not any(token_works(t) for t in tokens)


def test_ones_own_change_keeps_this_session_and_ends_the_others(world):
    coordinator = world.coordinator  # coordinators use the admin
    here, elsewhere = browser_for(coordinator), browser_for(coordinator)
    tokens = tokens_for(coordinator)

    response = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == "/admin/password_change/done/"

    assert here.get("/admin/").status_code == 200  # still signed in, under a new key
    assert not session_works(elsewhere)
    assert not any(token_works(t) for t in tokens)
    [kept] = UserSession.objects.filter(user=coordinator)
    assert kept.session_key == here.session.session_key


def test_a_superusers_own_change_in_the_user_admin_keeps_their_session(world):
    here, elsewhere = browser_for(world.admin), browser_for(world.admin)
    response = here.post(
        f"/admin/agencies/user/{world.admin.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302  # sent to the login page


def test_a_refused_new_password_ends_nothing(world):
    here, elsewhere = browser_for(world.coordinator), browser_for(world.coordinator)
    response = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200  # the form again, with its errors
    assert session_works(elsewhere)


def test_password_set_keeps_the_token_that_changed_ones_own_password(world):
    kept_instance, kept = AuthToken.objects.create(user=world.member)
    other = tokens_for(world.member, 1)[0]
    browser = browser_for(world.member)
    request = SimpleNamespace(user=world.member, auth=kept_instance)

    services.password_set(user=world.member, password=NEW_PASSWORD, request=request)

    assert token_works(kept)
    assert not token_works(other)
    assert not session_works(browser)


def test_password_set_for_someone_else_keeps_nothing_of_theirs(world):
    tokens = tokens_for(world.member)
    admin_instance, admin_token = AuthToken.objects.create(user=world.admin)
    request = SimpleNamespace(user=world.admin, auth=admin_instance)
    services.password_set(user=world.member, password=NEW_PASSWORD, request=request)
    assert not any(token_works(t) for t in tokens)
    assert token_works(admin_token)


def test_password_set_refuses_a_weak_password_and_ends_nothing(world):
    tokens = tokens_for(world.member)
    with pytest.raises(ValidationError) as refused:
        services.password_set(user=world.member, password="member", request=None)
    assert "password" in refused.value.message_dict
    assert all(token_works(t) for t in tokens)


def test_any_save_of_a_new_password_ends_the_sign_ins(world):
    """The path of `manage.py changepassword` and of the shell: set, save."""
    tokens = tokens_for(world.member)
    browser = browser_for(world.member)
    world.member.set_password(NEW_PASSWORD)
    world.member.save()
    assert not any(token_works(t) for t in tokens)
    assert not session_works(browser)


def test_saving_an_account_without_a_new_password_ends_nothing(world):
    tokens = tokens_for(world.member)
    browser = browser_for(world.member)
    world.member.job_title = "主任"
    world.member.save()
    assert all(token_works(t) for t in tokens)
    assert session_works(browser)


def test_password_set_keeps_the_session_that_changed_ones_own_password(world, rf, settings):
    from importlib import import_module

    here, elsewhere = browser_for(world.member), browser_for(world.member)
    request = rf.post("/")
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(here.cookies[settings.SESSION_COOKIE_NAME].value)
    request.user = world.member

    services.password_set(user=world.member, password=NEW_PASSWORD, request=request)
    request.session.save()  # what the session middleware does at the end of the request
    here.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key

    assert session_works(here)
    assert not session_works(elsewhere)
    assert list(
        UserSession.objects.filter(user=world.member).values_list("session_key", flat=True)
    ) == [request.session.session_key]


def test_clearsessions_also_prunes_the_index(world, time_machine):
    from django.core.management import call_command

    time_machine.move_to("2026-01-05 09:00 +0900", tick=False)
    browser_for(world.member)
    time_machine.move_to("2026-03-01 09:00 +0900", tick=False)  # past the session's age
    fresh = browser_for(world.colleague)
    call_command("clearsessions")
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        fresh.session.session_key
    ]
