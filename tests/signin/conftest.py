"""Helpers of the second-factor tests: codes computed from a secret as an authenticator
app computes them, enrolment through the services, and sign-in through the API."""

import base64

import pytest
from django_otp.oath import totp

from signin import services as signin_services
from tests.conferences.role_fixtures import roles_world  # noqa: F401
from tests.factories import PASSWORD


def code_for(secret: str) -> str:
    """The 6-digit code an authenticator app shows now for a base32 `secret`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def enrol(user) -> tuple[str, list[str]]:
    """Turn the person's second factor on (as the API does): `(secret, recovery_codes)`."""
    device = signin_services.enrolment_start(user=user)
    secret = signin_services.otpauth_secret(device)
    _device, codes = signin_services.enrolment_confirm(user=user, code=code_for(secret))
    return secret, codes


def token_login(api, username: str, **extra):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def signed_in(api, user, *, otp: str | None = None):
    """The API client with a token of the person's, signed in with `otp` when given."""
    api.force_authenticate(None)
    extra = {"otp": otp} if otp is not None else {}
    response = token_login(api, user.username, **extra)
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


@pytest.fixture
def clock(time_machine):
    """A stopped clock (one-time codes are computed from it), moved on by `clock.shift(s)`:
    each code is accepted once, so a second sign-in needs the next 30-second step."""
    time_machine.move_to("2026-12-01 10:00 +0900", tick=False)
    return time_machine
