"""`GET/POST /networks/{id}/memberships/` and `GET/PATCH/DELETE …/memberships/{mid}/`."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from network.models import Membership, Tier
from tests.factories import AgencyFactory, UserFactory, seat

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2024, 6, 15)

SEES_NETWORK = ["coordinator", "auditor", "member", "colleague", "representative", "admin"]
SEES_BUT_MAY_NOT_WRITE = ["auditor", "member", "colleague", "representative"]
READ_MATRIX = [(p, 200) for p in SEES_NETWORK] + [("stranger", 404), ("anonymous", 401)]
WRITE_MATRIX = (
    [("coordinator", "ok"), ("admin", "ok")]
    + [(p, 403) for p in SEES_BUT_MAY_NOT_WRITE]
    + [("stranger", 404), ("anonymous", 401)]
)


@pytest.fixture(autouse=True)
def today(time_machine):
    """Every test here runs at noon on 2024-06-15 in Tokyo, whatever the real date."""
    time_machine.move_to(datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO), tick=False)
    return TODAY


def list_url(network) -> str:
    return f"/api/v1/networks/{network.pk}/memberships/"


def detail_url(network, membership_id) -> str:
    return f"/api/v1/networks/{network.pk}/memberships/{membership_id}/"


def clinic_membership(world) -> Membership:
    return Membership.objects.get(network=world.network, agency=world.member.agency)


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def newcomer_agency():
    agency = AgencyFactory(name="若者サポートステーション")
    UserFactory(username="mentor", agency=agency, display_name="支援 五郎")
    return agency


def payload(seated, **overrides) -> dict:
    body = {
        "agency": seated.pk,
        "tier": "practitioners",
        "starts_on": "2024-04-01",
        "designated_people": [p.pk for p in seated.staff.all()],
    }
    body.update(overrides)
    return body


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), READ_MATRIX)
def test_list_matrix(world, api_as, persona, status):
    response = api_as(world.person(persona)).get(list_url(world.network))

    assert response.status_code == status, response.content
    if status == 200:
        assert ids(response) == set(
            Membership.objects.filter(network=world.network).values_list("pk", flat=True)
        )


def test_list_never_includes_the_other_networks_memberships(world, api_as):
    other_ids = set(
        Membership.objects.filter(network=world.other_network).values_list("pk", flat=True)
    )
    assert other_ids

    response = api_as(world.admin).get(list_url(world.network))

    assert ids(response).isdisjoint(other_ids)
    assert {row["network"] for row in response.json()["results"]} == {world.network.pk}


def test_list_rows_carry_the_contract_fields(world, api_as):
    rows = api_as(world.member).get(list_url(world.network)).json()["results"]
    row = next(r for r in rows if r["agency"] == world.member.agency_id)

    assert row["tier"] == "practitioners"
    assert row["tier_display"]
    assert row["agency_name"] == "こころのクリニック"
    assert row["designated_people"] == [world.member.pk]
    assert row["designated_people_detail"] == [
        {"id": world.member.pk, "display_name": "実務 一郎", "job_title": ""}
    ]
    assert row["starts_on"] == "2020-04-01"
    assert row["ends_on"] is None


def _add_memberships(network, count: int, people_each: int = 3) -> None:
    for i in range(count):
        agency = AgencyFactory()
        people = [UserFactory(agency=agency) for _ in range(people_each)]
        tier = Tier.PRACTITIONERS if i % 2 else Tier.REPRESENTATIVES
        seat(network, agency, tier, people=people, starts_on=date(2023, 4, 1))


def test_list_query_count_does_not_grow_with_rows_or_designated_people(world, api_as):
    client = api_as(world.member)
    with CaptureQueriesContext(connection) as few:
        assert client.get(list_url(world.network)).json()["count"] == 2
    _add_memberships(world.network, 25)

    with CaptureQueriesContext(connection) as many:
        response = client.get(list_url(world.network))

    assert response.json()["count"] == 27
    assert sum(len(r["designated_people_detail"]) for r in response.json()["results"]) == 77
    assert len(many) == len(few)


@pytest.mark.parametrize("persona", ["coordinator", "member", "auditor", "admin"])
def test_list_query_count_is_pinned(world, api_as, django_assert_max_num_queries, persona):
    _add_memberships(world.network, 25)
    client = api_as(world.person(persona))

    with django_assert_max_num_queries(7):
        response = client.get(list_url(world.network), {"current": "true"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 27


def test_current_filter_keeps_only_terms_covering_today(world, api_as, today):
    ended = seat(
        world.network,
        AgencyFactory(),
        starts_on=date(2022, 4, 1),
        ends_on=date(2024, 6, 14),
    )
    ends_today = seat(
        world.network, AgencyFactory(), starts_on=date(2022, 4, 1), ends_on=date(2024, 6, 15)
    )
    starts_tomorrow = seat(world.network, AgencyFactory(), starts_on=date(2024, 6, 16))
    starts_today = seat(world.network, AgencyFactory(), starts_on=date(2024, 6, 15))
    client = api_as(world.coordinator)

    current = client.get(list_url(world.network), {"current": "true"})
    not_current = client.get(list_url(world.network), {"current": "false"})

    seated = {clinic_membership(world).pk, world.representative.agency.memberships.get().pk}
    assert ids(current) == seated | {ends_today.pk, starts_today.pk}
    assert ids(not_current) == {ended.pk, starts_tomorrow.pk}


def test_tier_filter(world, api_as):
    seat(world.network, world.member.agency, Tier.REPRESENTATIVES)

    response = api_as(world.coordinator).get(list_url(world.network), {"tier": "representatives"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["tier"] for r in rows} == {"representatives"}
    assert {r["agency"] for r in rows} == {
        world.representative.agency_id,
        world.member.agency_id,
    }


def test_agency_filter(world, api_as):
    response = api_as(world.coordinator).get(
        list_url(world.network), {"agency": world.member.agency_id}
    )

    assert ids(response) == {clinic_membership(world).pk}


@pytest.mark.parametrize(
    "query",
    [{"tier": "bogus"}, {"agency": "abc"}, {"agency": 999_999}, {"agency": 10**30}],
)
def test_list_with_a_bad_filter_is_400(world, api_as, query):
    response = api_as(world.coordinator).get(list_url(world.network), query)

    assert response.status_code == 400, response.content


@pytest.mark.parametrize("page", ["abc", "999", "-1"])
def test_list_with_a_bad_page_is_404_not_500(world, api_as, page):
    response = api_as(world.coordinator).get(list_url(world.network), {"page": page})

    assert response.status_code == 404


def test_page_size_is_capped_at_200(world, api_as):
    response = api_as(world.coordinator).get(list_url(world.network), {"page_size": 10_000})

    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize("network_id", ["999999", "abc", "0"])
def test_list_of_a_missing_network_is_404(world, api_as, network_id):
    response = api_as(world.admin).get(f"/api/v1/networks/{network_id}/memberships/")

    assert response.status_code == 404


# --- detail -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), READ_MATRIX)
def test_detail_matrix(world, api_as, persona, status):
    membership = clinic_membership(world)

    response = api_as(world.person(persona)).get(detail_url(world.network, membership.pk))

    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["id"] == membership.pk


def test_detail_of_another_networks_membership_through_this_one_is_404(world, api_as):
    other = Membership.objects.get(network=world.other_network)

    response = api_as(world.admin).get(detail_url(world.network, other.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("membership_id", ["999999", "abc", "1.5"])
def test_detail_of_a_missing_membership_is_404(world, api_as, membership_id):
    response = api_as(world.coordinator).get(detail_url(world.network, membership_id))

    assert response.status_code == 404


# --- create -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), WRITE_MATRIX)
def test_create_matrix(world, api_as, newcomer_agency, persona, expected):
    response = api_as(world.person(persona)).post(
        list_url(world.network), payload(newcomer_agency), format="json"
    )

    assert response.status_code == (201 if expected == "ok" else expected), response.content
    exists = Membership.objects.filter(network=world.network, agency=newcomer_agency).exists()
    assert exists is (expected == "ok")


def test_create_stores_the_term_and_the_designated_people(world, api_as, newcomer_agency):
    mentor = User.objects.get(username="mentor")

    response = api_as(world.coordinator).post(
        list_url(world.network),
        payload(newcomer_agency, ends_on="2025-03-31", tier="representatives"),
        format="json",
    )

    assert response.status_code == 201, response.content
    membership = Membership.objects.get(pk=response.json()["id"])
    assert membership.network == world.network
    assert membership.agency == newcomer_agency
    assert membership.tier == "representatives"
    assert (membership.starts_on, membership.ends_on) == (date(2024, 4, 1), date(2025, 3, 31))
    assert list(membership.designated_people.all()) == [mentor]
    assert response.json()["designated_people"] == [mentor.pk]
    assert response.json()["designated_people_detail"][0]["display_name"] == "支援 五郎"


def test_create_ignores_a_network_in_the_body(world, api_as, newcomer_agency):
    response = api_as(world.coordinator).post(
        list_url(world.network),
        payload(newcomer_agency, network=world.other_network.pk),
        format="json",
    )

    assert response.status_code == 201
    assert Membership.objects.get(pk=response.json()["id"]).network == world.network


def test_create_without_designated_people_is_allowed(world, api_as, newcomer_agency):
    body = payload(newcomer_agency)
    del body["designated_people"]

    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")

    assert response.status_code == 201, response.content
    assert not Membership.objects.get(pk=response.json()["id"]).designated_people.exists()


def test_designated_person_of_another_agency_is_400_on_designated_people(
    world, api_as, newcomer_agency
):
    body = payload(newcomer_agency, designated_people=[world.member.pk])

    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"designated_people"}
    assert not Membership.objects.filter(agency=newcomer_agency).exists()


def test_refusing_an_outsider_does_not_reveal_their_name(world, api_as, newcomer_agency):
    """Any account id may be sent; the error must not tell a coordinator who it is, nor
    even that it exists: another network's person answers like an id nobody has."""
    body = payload(newcomer_agency, designated_people=[world.stranger.pk])
    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")
    nobody = api_as(world.coordinator).post(
        list_url(world.network), payload(newcomer_agency, designated_people=[999999]), format="json"
    )

    assert response.status_code == 400
    assert world.stranger.display_name not in response.content.decode()
    assert world.stranger.username not in response.content.decode()
    error = response.json()["designated_people"][0]
    assert error.replace(str(world.stranger.pk), "N") == nobody.json()["designated_people"][
        0
    ].replace("999999", "N")


def test_end_before_start_is_400_on_ends_on(world, api_as, newcomer_agency):
    body = payload(newcomer_agency, starts_on="2024-04-01", ends_on="2024-03-31")

    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")

    assert response.status_code == 400
    assert "ends_on" in response.json()
    assert not Membership.objects.filter(agency=newcomer_agency).exists()


def test_a_one_day_term_is_allowed(world, api_as, newcomer_agency):
    body = payload(newcomer_agency, starts_on="2024-04-01", ends_on="2024-04-01")

    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")

    assert response.status_code == 201


def test_overlapping_term_for_the_same_agency_and_tier_is_400(world, api_as):
    clinic = world.member.agency
    body = {"agency": clinic.pk, "tier": "practitioners", "starts_on": "2030-04-01"}

    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")

    assert response.status_code == 400
    assert "starts_on" in response.json()
    assert Membership.objects.filter(network=world.network, agency=clinic).count() == 1


def test_a_term_after_the_previous_one_ended_is_allowed(world, api_as):
    clinic = world.member.agency
    client = api_as(world.coordinator)
    client.patch(
        detail_url(world.network, clinic_membership(world).pk),
        {"ends_on": "2024-03-31"},
        format="json",
    )

    response = client.post(
        list_url(world.network),
        {"agency": clinic.pk, "tier": "practitioners", "starts_on": "2024-04-01"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Membership.objects.filter(network=world.network, agency=clinic).count() == 2


def test_the_same_agency_may_sit_in_both_tiers(world, api_as):
    clinic = world.member.agency
    body = {
        "agency": clinic.pk,
        "tier": "representatives",
        "starts_on": "2024-04-01",
        "designated_people": [world.colleague.pk],
    }

    response = api_as(world.coordinator).post(list_url(world.network), body, format="json")

    assert response.status_code == 201, response.content
    tiers = Membership.objects.filter(network=world.network, agency=clinic).values_list(
        "tier", flat=True
    )
    assert sorted(tiers) == ["practitioners", "representatives"]


def test_the_same_agency_may_sit_in_another_network_for_the_same_term(world, api_as):
    clinic = world.member.agency
    other_coordinator = User.objects.get(username="other_coordinator")

    response = api_as(other_coordinator).post(
        list_url(world.other_network),
        {"agency": clinic.pk, "tier": "practitioners", "starts_on": "2020-04-01"},
        format="json",
    )

    assert response.status_code == 201, response.content


def test_an_inactive_agency_cannot_be_seated(world, api_as):
    inactive = AgencyFactory(active=False)

    response = api_as(world.coordinator).post(
        list_url(world.network),
        {"agency": inactive.pk, "tier": "practitioners", "starts_on": "2024-04-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "agency" in response.json()
    assert not Membership.objects.filter(agency=inactive).exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"tier": "bogus"}, "tier"),
        ({"tier": ""}, "tier"),
        ({"tier": None}, "tier"),
        ({"agency": "abc"}, "agency"),
        ({"agency": 999_999}, "agency"),
        ({"agency": 10**30}, "agency"),
        ({"starts_on": "yesterday"}, "starts_on"),
        ({"starts_on": "2024-02-30"}, "starts_on"),
        ({"starts_on": 20240401}, "starts_on"),
        ({"ends_on": "2024-13-01"}, "ends_on"),
        ({"designated_people": "abc"}, "designated_people"),
        ({"designated_people": ["abc"]}, "designated_people"),
        ({"designated_people": [999_999]}, "designated_people"),
        ({"designated_people": [10**30]}, "designated_people"),
        ({"designated_people": {"id": 1}}, "designated_people"),
    ],
)
def test_create_refuses_bad_values_with_a_field_error(
    world, api_as, newcomer_agency, override, field
):
    response = api_as(world.coordinator).post(
        list_url(world.network), payload(newcomer_agency, **override), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Membership.objects.filter(agency=newcomer_agency).exists()


def test_create_without_required_fields_names_each_of_them(world, api_as):
    response = api_as(world.coordinator).post(list_url(world.network), {}, format="json")

    assert response.status_code == 400
    assert {"agency", "tier", "starts_on"} <= set(response.json())


@pytest.mark.parametrize("body", ["{", "[]", "null", "tier=practitioners"])
def test_create_with_malformed_json_is_400(world, api_as, body):
    before = Membership.objects.count()

    response = api_as(world.coordinator).post(
        list_url(world.network), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert Membership.objects.count() == before


# --- update -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), WRITE_MATRIX)
def test_update_matrix(world, api_as, persona, expected):
    membership = clinic_membership(world)

    response = api_as(world.person(persona)).patch(
        detail_url(world.network, membership.pk), {"ends_on": "2025-03-31"}, format="json"
    )

    assert response.status_code == (200 if expected == "ok" else expected), response.content
    membership.refresh_from_db()
    assert membership.ends_on == (date(2025, 3, 31) if expected == "ok" else None)


def test_update_replaces_the_designated_people(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk),
        {"designated_people": [world.colleague.pk]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["designated_people"] == [world.colleague.pk]
    assert response.json()["designated_people_detail"][0]["id"] == world.colleague.pk
    assert list(membership.designated_people.all()) == [world.colleague]


def test_update_without_designated_people_keeps_them(world, api_as):
    membership = clinic_membership(world)

    api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), {"ends_on": "2025-03-31"}, format="json"
    )

    assert list(membership.designated_people.all()) == [world.member]


def test_update_with_an_empty_list_clears_the_designated_people(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), {"designated_people": []}, format="json"
    )

    assert response.status_code == 200
    assert not membership.designated_people.exists()


def test_update_refuses_a_designated_person_of_another_agency(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk),
        {"designated_people": [world.representative.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "designated_people" in response.json()
    assert list(membership.designated_people.all()) == [world.member]


def test_update_refuses_an_end_before_the_start(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), {"ends_on": "2019-03-31"}, format="json"
    )

    assert response.status_code == 400
    assert "ends_on" in response.json()
    membership.refresh_from_db()
    assert membership.ends_on is None


def test_update_refuses_moving_into_an_overlapping_term(world, api_as):
    clinic = world.member.agency
    representatives = seat(world.network, clinic, Tier.REPRESENTATIVES, people=[world.colleague])

    response = api_as(world.coordinator).patch(
        detail_url(world.network, representatives.pk), {"tier": "practitioners"}, format="json"
    )

    assert response.status_code == 400
    assert "starts_on" in response.json()
    representatives.refresh_from_db()
    assert representatives.tier == "representatives"


def test_update_of_its_own_term_is_no_overlap_with_itself(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), {"starts_on": "2021-04-01"}, format="json"
    )

    assert response.status_code == 200, response.content
    membership.refresh_from_db()
    assert membership.starts_on == date(2021, 4, 1)


def test_update_changing_the_agency_checks_the_kept_designated_people(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk),
        {"agency": AgencyFactory().pk},
        format="json",
    )

    assert response.status_code == 400
    assert "designated_people" in response.json()
    membership.refresh_from_db()
    assert membership.agency == world.member.agency


def test_update_cannot_move_a_seat_to_an_inactive_agency(world, api_as):
    membership = clinic_membership(world)
    inactive = AgencyFactory(active=False)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk),
        {"agency": inactive.pk, "designated_people": []},
        format="json",
    )

    assert response.status_code == 400
    assert "agency" in response.json()
    membership.refresh_from_db()
    assert membership.agency == world.member.agency


def test_update_of_a_seat_whose_agency_became_inactive_still_works(world, api_as):
    """Ending the term of a deactivated agency must stay possible."""
    membership = clinic_membership(world)
    clinic = world.member.agency
    clinic.active = False
    clinic.save()

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), {"ends_on": "2024-06-30"}, format="json"
    )

    assert response.status_code == 200, response.content
    membership.refresh_from_db()
    assert membership.ends_on == date(2024, 6, 30)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tier": "bogus"}, "tier"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"starts_on": None}, "starts_on"),
        ({"agency": "abc"}, "agency"),
        ({"designated_people": "abc"}, "designated_people"),
        ({"designated_people": [999_999]}, "designated_people"),
    ],
)
def test_update_refuses_bad_values(world, api_as, body, field):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), body, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    membership.refresh_from_db()
    assert (membership.tier, membership.starts_on) == ("practitioners", date(2020, 4, 1))


def test_update_with_malformed_json_is_400(world, api_as):
    membership = clinic_membership(world)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), "{", content_type="application/json"
    )

    assert response.status_code == 400


def test_update_of_another_networks_membership_through_this_one_is_404(world, api_as):
    other = Membership.objects.get(network=world.other_network)

    response = api_as(world.coordinator).patch(
        detail_url(world.network, other.pk), {"ends_on": "2024-06-30"}, format="json"
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.ends_on is None


# --- delete -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), WRITE_MATRIX)
def test_delete_matrix(world, api_as, persona, expected):
    membership = clinic_membership(world)

    response = api_as(world.person(persona)).delete(detail_url(world.network, membership.pk))

    assert response.status_code == (204 if expected == "ok" else expected), response.content
    assert Membership.objects.filter(pk=membership.pk).exists() is (expected != "ok")


def test_delete_removes_the_designations_with_it(world, api_as):
    membership = clinic_membership(world)
    through = Membership.designated_people.through

    api_as(world.coordinator).delete(detail_url(world.network, membership.pk))

    assert not through.objects.filter(membership_id=membership.pk).exists()
    assert User.objects.filter(pk=world.member.pk).exists()


def test_delete_of_another_networks_membership_through_this_one_is_404(world, api_as):
    other = Membership.objects.get(network=world.other_network)

    response = api_as(world.coordinator).delete(detail_url(world.network, other.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("membership_id", ["999999", "abc"])
def test_delete_of_a_missing_membership_is_404(world, api_as, membership_id):
    before = Membership.objects.count()

    response = api_as(world.coordinator).delete(detail_url(world.network, membership_id))

    assert response.status_code == 404
    assert Membership.objects.count() == before


# --- a seat is what makes an agency's staff see the network ------------------------------


def test_staff_of_an_agency_whose_term_ended_no_longer_see_the_network(world, api_as, time_machine):
    membership = clinic_membership(world)
    api_as(world.coordinator).patch(
        detail_url(world.network, membership.pk), {"ends_on": "2024-06-30"}, format="json"
    )
    member = api_as(world.member)
    assert member.get(f"/api/v1/networks/{world.network.pk}/").status_code == 200

    time_machine.move_to(datetime(2024, 7, 1, 0, 30, tzinfo=TOKYO), tick=False)

    assert member.get(f"/api/v1/networks/{world.network.pk}/").status_code == 404
    assert member.get(list_url(world.network)).status_code == 404
    assert member.get("/api/v1/networks/").json()["count"] == 0


def test_the_last_day_of_a_term_still_counts_in_tokyo_time(world, api_as, time_machine):
    """23:30 on the last day in Tokyo is 14:30 UTC: still inside the term."""
    membership = clinic_membership(world)
    membership.ends_on = date(2024, 6, 30)
    membership.save()

    time_machine.move_to(datetime(2024, 6, 30, 23, 30, tzinfo=TOKYO), tick=False)
    on_last_day = api_as(world.colleague).get(f"/api/v1/networks/{world.network.pk}/")
    time_machine.move_to(datetime(2024, 7, 1, 0, 30, tzinfo=TOKYO), tick=False)
    day_after = api_as(world.colleague).get(f"/api/v1/networks/{world.network.pk}/")

    assert on_last_day.status_code == 200
    assert day_after.status_code == 404


def test_staff_of_an_agency_seated_from_a_future_date_see_the_network_from_that_day(
    world, api_as, newcomer_agency, time_machine
):
    mentor = User.objects.get(username="mentor")
    api_as(world.coordinator).post(
        list_url(world.network), payload(newcomer_agency, starts_on="2024-07-01"), format="json"
    )
    client = api_as(mentor)

    before = client.get(f"/api/v1/networks/{world.network.pk}/")
    time_machine.move_to(datetime(2024, 7, 1, 9, 0, tzinfo=TOKYO), tick=False)
    after = client.get(f"/api/v1/networks/{world.network.pk}/")

    assert before.status_code == 404
    assert after.status_code == 200


def test_deleting_a_seat_hides_the_network_from_the_agencys_staff(world, api_as):
    api_as(world.coordinator).delete(detail_url(world.network, clinic_membership(world).pk))

    response = api_as(world.colleague).get(f"/api/v1/networks/{world.network.pk}/")

    assert response.status_code == 404


def test_a_seat_in_one_network_shows_nothing_of_another(world, api_as):
    response = api_as(world.member).get(list_url(world.other_network))

    assert response.status_code == 404


def test_seating_a_shared_agency_does_not_let_a_coordinator_into_its_other_network(world, api_as):
    """Network A's coordinator seats network B's NPO in A (legitimate: agencies serve several
    networks), then creates an account for the NPO. That account must not see network B."""
    npo = world.stranger.agency
    client = api_as(world.coordinator)
    client.post(
        list_url(world.network),
        {"agency": npo.pk, "tier": "practitioners", "starts_on": "2024-04-01"},
        format="json",
    )

    created = client.post(
        "/api/v1/users/",
        {
            "username": "new_npo_staff",
            "password": "a-long-Passw0rd!x",
            "display_name": "新人",
            "agency": npo.pk,
        },
        format="json",
    )

    if created.status_code == 201:
        account = User.objects.get(username="new_npo_staff")
        assert not account.has_perm("network.view_network", world.other_network)
    else:
        assert created.status_code == 403
