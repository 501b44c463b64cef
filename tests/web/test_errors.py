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
