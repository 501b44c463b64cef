"""Responses under /api/ and /admin/ carry case content or personal data: none may stay in a
browser's cache, a proxy or a shared computer's disk (`Cache-Control: no-store`)."""

import pytest

from tests.conferences.role_fixtures import add_role, roles_world  # noqa: F401
from tests.conftest import verified_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, (response.status_code, response.get("Cache-Control"))


def test_content_responses_are_not_stored(api_as, roles_world):  # noqa: F811
    add_role(roles_world, roles_world.world.member.agency)
    client = api_as(roles_world.world.coordinator)
    meeting = f"/api/v1/meetings/{roles_world.meeting.pk}/"
    minutes = client.put(meeting + "minutes/", {"body": "議事の要旨"}, format="json")
    assert minutes.status_code == 200
    responses = {
        "case detail": client.get(f"/api/v1/cases/{roles_world.case.pk}/"),
        "csv": client.get(f"/api/v1/reviews/{roles_world.review.pk}/role-division.csv"),
        "xlsx": client.get(f"/api/v1/reviews/{roles_world.review.pk}/role-division.xlsx"),
        "minutes": client.get(meeting + "minutes/"),
        "calendar": client.get(meeting + "calendar.ics"),
        "list": client.get("/api/v1/cases/"),
    }
    assert responses["case detail"].json()["content"] is not None
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert_no_store(response)


def test_errors_and_the_login_are_not_stored_either(api, world):
    login = api.post(
        "/api/v1/auth/token/", {"username": "member", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert_no_store(login)
    assert_no_store(api.get("/api/v1/me/"))  # 401
    assert_no_store(api.get("/api/v1/nothing/"))  # 404 before any view


def test_admin_pages_are_not_stored(client, world):
    verified_login(client, world.admin)  # the admin wants a second factor
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_no_store(response)


def test_static_assets_stay_cacheable(client, db):
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
