"""Refusals the shell answers itself are pages in words, in the person's language."""

from django.test import Client


def test_a_form_without_its_token_is_refused_in_words(world):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/login/", {"username": "member", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "ページを開き直して" in body  # what to do about it, in Japanese
    assert 'lang="ja"' in body and "Traceback" not in body


def test_an_unknown_address_is_a_page_in_words(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "見つかりません" in response.content.decode()


def test_an_unknown_address_under_the_api_stays_json(client, db):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_whole_page_answering_an_in_place_request_replaces_the_main_content(page_as, world):
    client = page_as(world.member)
    response = client.get("/meetings/999999/", HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reselect"] == "#main > *"


def test_an_in_place_request_after_the_idle_timeout_sends_the_whole_page_to_login(
    page_as, world, time_machine
):
    time_machine.move_to("2026-12-01 10:00 +0900", tick=False)
    client = page_as(world.member)
    client.get("/")
    time_machine.shift(31 * 60)
    response = client.post(
        "/meetings/invitations/1/answer/",
        {"response": "accepted"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/meetings/7/",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/meetings/7/"
    assert client.get("/").status_code == 302  # signed out
