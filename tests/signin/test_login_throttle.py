"""The token login's limits: failures per username and address together, a daily cap per
username that alerts the coordinators, the per-address limit, and bodies that are not
objects."""

import logging

import pytest
from django.core import mail

from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/token/"


def attempt(api, username, password, address, **extra):
    return api.post(
        LOGIN,
        {"username": username, "password": password, **extra},
        format="json",
        REMOTE_ADDR=address,
    )


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(api, world):
    statuses = [attempt(api, "member", f"guess{i}", "198.51.100.7").status_code for i in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert attempt(api, "member", PASSWORD, "203.0.113.5").status_code == 200


def test_the_attacker_stays_throttled_even_with_the_right_password(api, world):
    for i in range(10):
        attempt(api, "member", f"guess{i}", "198.51.100.7")
    response = attempt(api, "member", PASSWORD, "198.51.100.7")
    assert (response.status_code, response.json()["code"]) == (429, "throttled")


def test_successful_logins_do_not_count_towards_the_username_limits(api, world, settings):
    settings.LOGIN_USER_DAILY_CAP = 3
    for _ in range(12):
        assert attempt(api, "member", PASSWORD, "203.0.113.5").status_code == 200
    assert attempt(api, "member", "wrong", "203.0.113.5").status_code == 400


def test_the_per_address_limit_still_holds(api, world):
    statuses = [attempt(api, f"user{i}", "x", "198.51.100.9").status_code for i in range(20)]
    assert set(statuses) == {400}
    response = attempt(api, "member", PASSWORD, "198.51.100.9")
    assert response.status_code == 429


def test_the_daily_cap_alerts_the_coordinators_once(
    api, world, settings, caplog, django_capture_on_commit_callbacks
):
    settings.LOGIN_USER_DAILY_CAP = 5
    world.coordinator.email = "coordinator@city.example.jp"
    world.coordinator.save()
    with caplog.at_level(logging.WARNING, logger="renkei.audit"):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(8):
                attempt(api, "member", f"secret-guess-{i}", f"192.0.2.{i}")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coordinator@city.example.jp"]
    assert "member" in message.body
    assert "secret-guess" not in message.body + message.subject
    assert any("reached 5 failed logins" in r.getMessage() for r in caplog.records)
    # Capped: the right password alone no longer signs in, from anywhere.
    response = attempt(api, "member", PASSWORD, "203.0.113.5")
    assert (response.status_code, response.json()["code"]) == (429, "throttled")


def test_past_the_cap_a_sign_in_with_a_second_factor_gets_through(api, world, settings, clock):
    settings.LOGIN_USER_DAILY_CAP = 3
    secret, _codes = enrol(world.member)
    for i in range(3):
        attempt(api, "member", f"guess{i}", f"192.0.2.{i}")
    clock.shift(30)
    # Without the code the answer does not tell that the password was right.
    assert attempt(api, "member", PASSWORD, "203.0.113.5").status_code == 429
    response = attempt(api, "member", PASSWORD, "203.0.113.5", otp=code_for(secret))
    assert response.status_code == 200


def test_wrong_codes_count_as_failures(api, world, clock):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    wrong = f"{(int(code_for(secret)) + 500_000) % 1_000_000:06d}"
    statuses = [
        attempt(api, "member", PASSWORD, "198.51.100.7", otp=wrong).status_code for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


@pytest.mark.parametrize("body", ["[]", "null", "0", '"x"', "[1, 2]", "{}"])
def test_a_body_that_is_not_an_object_is_400(api, db, body):
    response = api.generic("POST", LOGIN, body, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)
