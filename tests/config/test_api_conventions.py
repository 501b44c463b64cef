"""The contract's conventions: auth, error shapes, languages, schema and docs."""

import re

import pytest
import time_machine
from knox.crypto import hash_token
from knox.models import AuthToken

from tests.factories import PASSWORD


def test_health_check_needs_no_login(api, db):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["version"] == "1"


def test_anonymous_gets_401_in_the_contract_shape(api, db):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_token_login_then_token_authenticates(api, world):
    response = api.post(
        "/api/v1/auth/token/", {"username": "member", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "member"


def login(api, username="member"):
    response = api.post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_tokens_are_stored_only_as_digests(api, world):
    token = login(api)["token"]
    stored = list(AuthToken.objects.filter(user=world.member).values_list("digest", "token_key"))
    assert len(stored) == 1
    digest, key = stored[0]
    assert token not in digest
    assert digest == hash_token(token)
    assert len(key) < len(token)  # only a short lookup prefix is kept in clear


def test_token_stops_working_after_its_expiry(api, world):
    with time_machine.travel("2026-11-21 09:00 +0900", tick=False) as clock:
        body = login(api)
        assert body["expiry"].startswith("2026-11-21T19:00")  # ten hours, in Tokyo time
        api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        assert api.get("/api/v1/me/").status_code == 200
        clock.move_to("2026-11-21 19:01 +0900")
        assert api.get("/api/v1/me/").status_code == 401


def test_logout_revokes_only_that_token(api, world):
    phone = login(api)["token"]
    laptop = login(api)["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {phone}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {laptop}")
    assert api.get("/api/v1/me/").status_code == 200


def test_logout_all_revokes_every_token_of_the_person(api, world):
    tokens = [login(api)["token"] for _ in range(2)]
    api.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert api.post("/api/v1/auth/logout-all/").status_code == 204
    assert not AuthToken.objects.filter(user=world.member).exists()


def test_inactive_account_cannot_log_in(api, world):
    world.member.is_active = False
    world.member.save()
    response = api.post(
        "/api/v1/auth/token/", {"username": "member", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert not AuthToken.objects.exists()


def test_wrong_password_gets_400_and_no_token(api, world):
    response = api.post(
        "/api/v1/auth/token/", {"username": "member", "password": "wrong-password"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "non_field_errors" in response.json()


def test_bad_token_gets_401(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_login_is_throttled(api, world, settings):
    attempts = [
        api.post("/api/v1/auth/token/", {"username": f"user{i}", "password": "x"}, format="json")
        for i in range(21)
    ]
    assert {r.status_code for r in attempts[:20]} == {400}
    assert attempts[20].status_code == 429
    assert attempts[20].json()["code"] == "throttled"


def test_malformed_json_gets_400_with_detail_and_code(api_as, world):
    response = api_as(world.coordinator).generic(
        "POST", "/api/v1/agencies/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unknown_object_is_404_in_the_contract_shape(api_as, world):
    response = api_as(world.member).get("/api/v1/networks/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_errors_are_japanese_by_default_and_english_on_request(api, db):
    japanese = api.get("/api/v1/me/").json()["detail"]
    english = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert english == "Authentication credentials were not provided."
    assert japanese != english
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in japanese)


def test_choice_display_follows_the_request_language(api_as, world):
    client = api_as(world.member)
    url = f"/api/v1/networks/{world.network.pk}/memberships/?tier=practitioners"
    assert client.get(url).json()["results"][0]["tier_display"] == "実務者会議"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["tier_display"]
    assert english == "Practitioners meeting tier"


CONTRACT_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/auth/logout/",
    "/api/v1/me/",
    "/api/v1/users/",
    "/api/v1/agencies/",
    "/api/v1/agencies/{id}/",
    "/api/v1/networks/",
    "/api/v1/networks/{id}/",
    "/api/v1/networks/{network_pk}/staff-roles/",
    "/api/v1/networks/{network_pk}/staff-roles/{id}/",
    "/api/v1/networks/{network_pk}/memberships/",
    "/api/v1/networks/{network_pk}/memberships/{id}/",
    "/api/v1/networks/{network_pk}/pledges/",
]


def test_openapi_schema_describes_every_endpoint(api_as, world):
    api = api_as(world.member)  # the schema is for people logged in
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    missing = [path for path in CONTRACT_PATHS if path not in schema["paths"]]
    assert missing == []


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_docs_are_served(api_as, world, path):
    api = api_as(world.member)  # the docs are for people logged in
    assert api.get(path).status_code == 200


def test_api_docs_load_their_assets_from_this_service_not_a_cdn(api_as, world):
    api = api_as(world.member)  # the docs are for people logged in
    page = api.get("/api/docs/").content.decode()
    scripts = re.findall(r'src="([^"]+)"', page) + re.findall(r'href="([^"]+\.css)"', page)
    assert scripts, page[:500]
    # Swagger UI's files from the static files; its start-up script from the docs page
    # itself (so that no script is inline: see test_security_settings).
    assert all(src.startswith(("/static/", "/api/docs/?")) for src in scripts), scripts
    assert api.get(scripts[0]).status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_login_throttle(api, world):
    statuses = [
        api.post(
            "/api/v1/auth/token/",
            {"username": f"nobody{i}", "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(21)
    ]
    assert statuses[-1] == 429


def test_guesses_at_one_username_are_throttled_from_any_address(api, world, settings):
    # Spread over addresses, guesses stop at the username's daily cap of failures (a low
    # cap here; a per-username limit over minutes would let anyone lock its owner out).
    settings.LOGIN_USER_DAILY_CAP = 10
    statuses = [
        api.post(
            "/api/v1/auth/token/",
            {"username": "member", "password": f"guess{i}"},
            format="json",
            REMOTE_ADDR=f"192.0.2.{i}",
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
