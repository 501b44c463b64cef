def test_api_root_answers_with_version(api, db):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "1"}


def test_me_for_member(world, api_as):
    response = api_as(world.member).get("/api/v1/me/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["networks"] == [
        {"network": world.network.pk, "roles": ["member"], "tiers": ["practitioners"]}
    ]
