"""The contract's conventions: auth, error shapes, languages, schema and docs."""

import re

import pytest

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
        api.post("/api/v1/auth/token/", {"username": "member", "password": "guess"}, format="json")
        for _ in range(21)
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


def test_openapi_schema_describes_every_endpoint(api, db):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    missing = [path for path in CONTRACT_PATHS if path not in schema["paths"]]
    assert missing == []


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_docs_are_served(api, db, path):
    assert api.get(path).status_code == 200


def test_api_docs_load_their_assets_from_this_service_not_a_cdn(api, db):
    page = api.get("/api/docs/").content.decode()
    scripts = re.findall(r'src="([^"]+)"', page) + re.findall(r'href="([^"]+\.css)"', page)
    assert scripts, page[:500]
    assert all(src.startswith("/static/") for src in scripts), scripts
    assert api.get(scripts[0]).status_code == 200
