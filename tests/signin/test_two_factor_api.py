"""`/me/two-factor/` and the `otp` of the token login: enrolment, confirmation, recovery
codes, signing in, turning it off."""

import base64
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from knox.models import AuthToken

from signin.models import RecoveryCode, VerifiedToken
from tests.signin.conftest import code_for, enrol, signed_in, token_login

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/two-factor/"


def start(client) -> str:
    response = client.post(URL)
    assert response.status_code == 201, response.content
    return response.json()["secret"]


def test_enrolment_starts_with_a_totp_secret_and_its_uri(api_as, world, clock):
    response = api_as(world.member).post(URL)
    assert response.status_code == 201
    body = response.json()
    assert len(base64.b32decode(body["secret"] + "=" * (-len(body["secret"]) % 8))) == 20
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    query = parse_qs(uri.query)
    assert query["algorithm"] == ["SHA1"]
    assert query["digits"] == ["6"]
    assert query["period"] == ["30"]
    assert query["secret"] == [body["secret"]]
    assert query["issuer"] == ["連携会議"]
    assert api_as(world.member).get(URL).json() == {
        "enabled": False,
        "recovery_codes_left": 0,
        "required": False,
        "pending": True,
    }


def test_a_wrong_code_does_not_turn_it_on(api_as, world, clock):
    client = api_as(world.member)
    secret = start(client)
    wrong = f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"
    response = client.post(URL + "confirm/", {"code": wrong}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    assert client.get(URL).json()["enabled"] is False


def test_confirming_shows_ten_recovery_codes_once_and_stores_only_digests(api_as, world, clock):
    client = api_as(world.member)
    secret = start(client)
    response = client.post(URL + "confirm/", {"code": code_for(secret)}, format="json")
    assert response.status_code == 200
    codes = response.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert client.get(URL).json() == {
        "enabled": True,
        "recovery_codes_left": 10,
        "required": False,
        "pending": False,
    }
    # Shown once: confirming again finds nothing to confirm.
    clock.shift(30)
    again = client.post(URL + "confirm/", {"code": code_for(secret)}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "no_enrolment")
    # Stored as keyed digests only: no code in any column of the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signin_recoverycode")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert RecoveryCode.objects.count() == 10
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored


def test_the_confirming_sign_in_counts_as_verified(api, world, clock):
    client = signed_in(api, world.member)
    secret = start(client)
    client.post(URL + "confirm/", {"code": code_for(secret)}, format="json")
    assert VerifiedToken.objects.filter(token__user=world.member).count() == 1


def test_token_login_needs_the_code_once_it_is_on(api, world, clock):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    missing = token_login(api, "member")
    assert (missing.status_code, missing.json()["code"]) == (401, "otp_required")
    wrong = token_login(api, "member", otp=f"{(int(code_for(secret)) + 1) % 1_000_000:06d}")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_otp")
    assert not AuthToken.objects.filter(user=world.member).exists()
    clock.shift(2)  # django-otp slows the device down after a failure
    right = token_login(api, "member", otp=code_for(secret))
    assert right.status_code == 200
    token = AuthToken.objects.get(user=world.member)
    assert VerifiedToken.objects.filter(token=token).exists()


def test_a_code_signs_in_once(api, world, clock):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    assert token_login(api, "member", otp=code_for(secret)).status_code == 200
    replay = token_login(api, "member", otp=code_for(secret))
    assert (replay.status_code, replay.json()["code"]) == (401, "invalid_otp")


def test_a_recovery_code_signs_in_once(api, world, clock):
    _secret, codes = enrol(world.member)
    first = token_login(api, "member", otp=codes[3].upper())  # case does not matter
    assert first.status_code == 200
    clock.shift(5)
    again = token_login(api, "member", otp=codes[3])
    assert (again.status_code, again.json()["code"]) == (401, "invalid_otp")
    api.credentials(HTTP_AUTHORIZATION=f"Token {first.json()['token']}")
    assert api.get(URL).json()["recovery_codes_left"] == 9
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


def test_a_person_without_it_logs_in_with_the_password_and_an_unverified_token(api, world):
    response = token_login(api, "member")
    assert response.status_code == 200
    assert not VerifiedToken.objects.exists()


def test_replacing_an_authenticator_needs_a_verified_sign_in(api_as, api, world, clock):
    secret, _codes = enrol(world.member)
    refused = api_as(world.member).post(URL)  # forced: no second factor proven
    assert (refused.status_code, refused.json()["code"]) == (403, "otp_required")
    clock.shift(30)
    client = signed_in(api, world.member, otp=code_for(secret))
    new_secret = start(client)
    clock.shift(30)
    response = client.post(URL + "confirm/", {"code": code_for(new_secret)}, format="json")
    assert response.status_code == 200
    clock.shift(30)
    assert token_login(api, "member", otp=code_for(secret)).status_code == 401  # the old app
    clock.shift(30)
    assert token_login(api, "member", otp=code_for(new_secret)).status_code == 200


def test_turning_it_off_where_a_network_requires_it_is_409(api_as, world, clock):
    world.network.require_two_factor = True
    world.network.save()
    secret, _codes = enrol(world.member)
    clock.shift(30)
    response = api_as(world.member).delete(URL, {"code": code_for(secret)}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "two_factor_required")
    assert api_as(world.member).get(URL).json()["enabled"] is True


def test_coordinators_keep_it_because_the_admin_requires_it(api_as, world, clock):
    secret, _codes = enrol(world.coordinator)
    clock.shift(30)
    response = api_as(world.coordinator).delete(URL, {"code": code_for(secret)}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "two_factor_required")


def test_turning_it_off_needs_a_valid_code(api, api_as, world, clock):
    secret, codes = enrol(world.member)
    clock.shift(30)
    client = api_as(world.member)
    assert client.delete(URL, {"code": "000000"}, format="json").status_code in (400,)
    assert client.delete(URL, {}, format="json").status_code == 400
    clock.shift(5)
    assert client.delete(URL, {"code": codes[0]}, format="json").status_code == 204
    assert client.get(URL).json() == {
        "enabled": False,
        "recovery_codes_left": 0,
        "required": False,
        "pending": False,
    }
    assert token_login(api, "member").status_code == 200


@pytest.mark.parametrize(
    "method,path", [("get", URL), ("post", URL), ("delete", URL), ("post", URL + "confirm/")]
)
def test_anonymous_gets_401(api, db, method, path):
    assert getattr(api, method)(path).status_code == 401
