"""`GET/POST /api/v1/networks/` and `GET/PATCH /api/v1/networks/{id}/`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from network.models import DEFAULT_PLEDGE_TEXT, Network, Tier
from tests.factories import AgencyFactory, NetworkFactory, seat

LIST = "/api/v1/networks/"

# Who sees network A (the `world.network`): everyone but the stranger from network B.
SEES_NETWORK = ["coordinator", "auditor", "member", "colleague", "representative", "admin"]
SEES_BUT_MAY_NOT_COORDINATE = ["auditor", "member", "colleague", "representative"]


def detail(pk) -> str:
    return f"/api/v1/networks/{pk}/"


def new_network_payload(**overrides) -> dict:
    payload = {
        "name": "神戸市ひきこもり支援ネットワーク",
        "municipality": "神戸市",
        "secretariat_agency": AgencyFactory(name="神戸市相談支援課").pk,
    }
    payload.update(overrides)
    return payload


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", {"network"}),
        ("auditor", {"network"}),
        ("member", {"network"}),
        ("colleague", {"network"}),
        ("representative", {"network"}),
        ("stranger", {"other_network"}),
        ("admin", {"network", "other_network"}),
    ],
)
def test_list_shows_exactly_the_networks_the_persona_sits_in(world, api_as, persona, expected):
    response = api_as(world.person(persona)).get(LIST)

    assert response.status_code == 200, response.content
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {getattr(world, name).pk for name in expected}


def test_list_refuses_anonymous(world, api):
    response = api.get(LIST)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_is_paginated_with_the_contract_shape(world, api_as):
    body = api_as(world.coordinator).get(LIST).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1


def test_list_rows_carry_the_contract_fields(world, api_as):
    row = api_as(world.member).get(LIST).json()["results"][0]

    assert {
        "id",
        "name",
        "municipality",
        "secretariat_agency",
        "content_window_days",
        "suppression_threshold",
        "retention_years",
    } <= set(row)
    assert row["content_window_days"] == 14
    assert row["suppression_threshold"] == 3


def test_list_query_count_does_not_grow_with_the_number_of_networks(world, api_as):
    client = api_as(world.member)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).json()["count"] == 1
    for _ in range(12):
        seat(NetworkFactory(), world.member.agency, Tier.PRACTITIONERS)

    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 13

    assert len(many) == len(few)


def test_list_query_count_is_pinned(world, api_as, django_assert_max_num_queries):
    for _ in range(12):
        seat(NetworkFactory(), world.member.agency, Tier.PRACTITIONERS)
    client = api_as(world.member)

    with django_assert_max_num_queries(3):
        response = client.get(LIST)

    assert response.json()["count"] == 13


# --- detail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [(p, 200) for p in SEES_NETWORK] + [("stranger", 404), ("anonymous", 401)],
)
def test_detail_matrix(world, api_as, persona, status):
    response = api_as(world.person(persona)).get(detail(world.network.pk))

    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["id"] == world.network.pk
        assert response.json()["name"] == world.network.name


def test_detail_of_an_invisible_network_looks_exactly_like_a_missing_one(world, api_as):
    client = api_as(world.stranger)

    invisible = client.get(detail(world.network.pk))
    missing = client.get(detail(999_999))

    assert invisible.status_code == missing.status_code == 404
    assert invisible.json() == missing.json()
    assert invisible.json()["code"] == "not_found"


def _non_integer_ids(pk: int) -> list[str]:
    fullwidth = str(pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [
        "abc",
        "1.0",
        "1e0",
        "%20",
        f"%20{pk}",
        f"+{pk}",
        f"{pk}%20",
        f"0x{pk}",
        fullwidth,
        "null",
    ]


@pytest.mark.parametrize("persona", ["admin", "coordinator", "member"])
def test_detail_of_a_non_integer_id_is_404(world, api_as, persona):
    client = api_as(world.person(persona))

    for raw in _non_integer_ids(world.network.pk):
        response = client.get(detail(raw))
        assert response.status_code == 404, (raw, response.status_code)
        assert response.json()["code"] == "not_found", raw


@pytest.mark.parametrize("raw", ["999999", "0", "-1", "99999999999999999999999999"])
def test_detail_of_a_missing_id_is_404_even_for_the_admin(world, api_as, raw):
    response = api_as(world.admin).get(detail(raw))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_for_the_other_networks_coordinator_is_404(world, api_as):
    other_coordinator = User.objects.get(username="other_coordinator")

    response = api_as(other_coordinator).get(detail(world.network.pk))

    assert response.status_code == 404


# --- create -------------------------------------------------------------------------------


def test_admin_creates_a_network_with_the_contract_defaults(world, api_as):
    payload = new_network_payload()

    response = api_as(world.admin).post(LIST, payload, format="json")

    assert response.status_code == 201, response.content
    network = Network.objects.get(pk=response.json()["id"])
    assert network.name == payload["name"]
    assert network.municipality == "神戸市"
    assert network.secretariat_agency_id == payload["secretariat_agency"]
    assert (network.content_window_days, network.suppression_threshold) == (14, 3)
    assert network.retention_years == 5
    assert network.pledge_text == DEFAULT_PLEDGE_TEXT
    assert network.pledge_text_version == 1
    assert response.json()["pledge_text_version"] == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 201),
        ("coordinator", 403),
        ("auditor", 403),
        ("member", 403),
        ("colleague", 403),
        ("representative", 403),
        ("stranger", 403),
        ("anonymous", 401),
    ],
)
def test_create_matrix(world, api_as, persona, status):
    before = Network.objects.count()

    response = api_as(world.person(persona)).post(LIST, new_network_payload(), format="json")

    assert response.status_code == status, response.content
    assert Network.objects.count() == before + (1 if status == 201 else 0)


def test_coordinator_creating_a_network_gets_platform_admin_only(world, api_as):
    response = api_as(world.coordinator).post(LIST, new_network_payload(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "platform_admin_only"
    assert not Network.objects.filter(municipality="神戸市").exists()


def test_create_ignores_a_client_supplied_pledge_text_version(world, api_as):
    payload = new_network_payload(pledge_text_version=42)

    response = api_as(world.admin).post(LIST, payload, format="json")

    assert response.status_code == 201
    assert Network.objects.get(pk=response.json()["id"]).pledge_text_version == 1


def test_create_refuses_an_inactive_secretariat_agency(world, api_as):
    inactive = AgencyFactory(active=False)

    response = api_as(world.admin).post(
        LIST, new_network_payload(secretariat_agency=inactive.pk), format="json"
    )

    assert response.status_code == 400
    assert "secretariat_agency" in response.json()
    assert not Network.objects.filter(secretariat_agency=inactive).exists()


def test_create_without_required_fields_names_each_of_them(world, api_as):
    response = api_as(world.admin).post(LIST, {}, format="json")

    assert response.status_code == 400
    assert {"name", "municipality", "secretariat_agency"} <= set(response.json())
    assert Network.objects.count() == 2


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"secretariat_agency": "abc"}, "secretariat_agency"),
        ({"secretariat_agency": 999_999}, "secretariat_agency"),
        ({"secretariat_agency": [1]}, "secretariat_agency"),
        ({"content_window_days": "two weeks"}, "content_window_days"),
        ({"content_window_days": 366}, "content_window_days"),
        ({"content_window_days": -1}, "content_window_days"),
        ({"suppression_threshold": 0}, "suppression_threshold"),
        ({"suppression_threshold": 101}, "suppression_threshold"),
        ({"retention_years": 0}, "retention_years"),
        ({"retention_years": 10**30}, "retention_years"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"pledge_text": ""}, "pledge_text"),
    ],
)
def test_create_refuses_bad_values_with_a_field_error(world, api_as, override, field):
    response = api_as(world.admin).post(LIST, new_network_payload(**override), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Network.objects.count() == 2


@pytest.mark.parametrize(
    "body", ['{"name": ', "not json", "[]", '"a string"', "null", "42", "\xff\xfe"]
)
def test_create_with_malformed_json_is_400(world, api_as, body):
    response = api_as(world.admin).post(LIST, body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert Network.objects.count() == 2


# --- update -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("admin", 200)]
    + [(p, 403) for p in SEES_BUT_MAY_NOT_COORDINATE]
    + [("stranger", 404), ("anonymous", 401)],
)
def test_update_matrix(world, api_as, persona, status):
    response = api_as(world.person(persona)).patch(
        detail(world.network.pk), {"content_window_days": 21}, format="json"
    )

    assert response.status_code == status, response.content
    world.network.refresh_from_db()
    assert world.network.content_window_days == (21 if status == 200 else 14)


def test_update_refused_to_a_non_coordinator_says_permission_denied(world, api_as):
    response = api_as(world.member).patch(
        detail(world.network.pk), {"name": "乗っ取り"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    world.network.refresh_from_db()
    assert world.network.name == "明石市ひきこもり支援ネットワーク"


def test_update_by_the_other_networks_coordinator_is_404(world, api_as):
    other_coordinator = User.objects.get(username="other_coordinator")

    response = api_as(other_coordinator).patch(
        detail(world.network.pk), {"name": "乗っ取り"}, format="json"
    )

    assert response.status_code == 404
    world.network.refresh_from_db()
    assert world.network.name == "明石市ひきこもり支援ネットワーク"


def test_update_of_a_missing_network_is_404_for_the_admin(world, api_as):
    response = api_as(world.admin).patch(detail(999_999), {"name": "x"}, format="json")

    assert response.status_code == 404


def test_changed_pledge_text_bumps_the_version(world, api_as):
    response = api_as(world.coordinator).patch(
        detail(world.network.pk), {"pledge_text": "新しい誓約文"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["pledge_text_version"] == 2
    world.network.refresh_from_db()
    assert world.network.pledge_text == "新しい誓約文"
    assert world.network.pledge_text_version == 2


def test_each_pledge_text_change_bumps_the_version_again(world, api_as):
    client = api_as(world.coordinator)

    client.patch(detail(world.network.pk), {"pledge_text": "第二版"}, format="json")
    client.patch(detail(world.network.pk), {"pledge_text": "第三版"}, format="json")

    world.network.refresh_from_db()
    assert world.network.pledge_text_version == 3


def test_unchanged_pledge_text_keeps_the_version(world, api_as):
    response = api_as(world.coordinator).patch(
        detail(world.network.pk), {"pledge_text": world.network.pledge_text}, format="json"
    )

    assert response.status_code == 200
    world.network.refresh_from_db()
    assert world.network.pledge_text_version == 1


def test_changing_other_settings_keeps_the_pledge_version(world, api_as):
    response = api_as(world.coordinator).patch(
        detail(world.network.pk),
        {"name": "明石市支援ネットワーク", "suppression_threshold": 5},
        format="json",
    )

    assert response.status_code == 200
    world.network.refresh_from_db()
    assert world.network.name == "明石市支援ネットワーク"
    assert world.network.suppression_threshold == 5
    assert world.network.pledge_text_version == 1


def test_pledge_text_version_cannot_be_set_by_the_client(world, api_as):
    response = api_as(world.coordinator).patch(
        detail(world.network.pk), {"pledge_text_version": 99}, format="json"
    )

    assert response.status_code == 200
    world.network.refresh_from_db()
    assert world.network.pledge_text_version == 1


def test_update_refuses_an_inactive_secretariat_agency(world, api_as):
    inactive = AgencyFactory(active=False)

    response = api_as(world.coordinator).patch(
        detail(world.network.pk), {"secretariat_agency": inactive.pk}, format="json"
    )

    assert response.status_code == 400
    assert "secretariat_agency" in response.json()
    world.network.refresh_from_db()
    assert world.network.secretariat_agency_id != inactive.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_window_days": "abc"}, "content_window_days"),
        ({"content_window_days": 366}, "content_window_days"),
        ({"suppression_threshold": 0}, "suppression_threshold"),
        ({"retention_years": "5 years"}, "retention_years"),
        ({"secretariat_agency": "abc"}, "secretariat_agency"),
        ({"secretariat_agency": 10**30}, "secretariat_agency"),
        ({"name": None}, "name"),
        ({"pledge_text": ""}, "pledge_text"),
    ],
)
def test_update_refuses_bad_values_and_changes_nothing(world, api_as, body, field):
    response = api_as(world.coordinator).patch(detail(world.network.pk), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    world.network.refresh_from_db()
    assert world.network.content_window_days == 14
    assert world.network.pledge_text_version == 1


@pytest.mark.parametrize("body", ['{"name": ', "not json", "[1, 2]"])
def test_update_with_malformed_json_is_400(world, api_as, body):
    response = api_as(world.coordinator).patch(
        detail(world.network.pk), body, content_type="application/json"
    )

    assert response.status_code == 400, response.content


def test_malformed_json_from_a_non_coordinator_is_still_403(world, api_as):
    """Permission is decided before the body is read, so a bad body reveals nothing."""
    response = api_as(world.member).patch(
        detail(world.network.pk), "{", content_type="application/json"
    )

    assert response.status_code == 403


def test_malformed_json_from_a_stranger_is_still_404(world, api_as):
    response = api_as(world.stranger).patch(
        detail(world.network.pk), "{", content_type="application/json"
    )

    assert response.status_code == 404
