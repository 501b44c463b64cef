"""`GET/POST /networks/{id}/pledges/`: the confidentiality pledge (守秘義務誓約)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import services
from network.models import ConfidentialityPledge
from tests.factories import UserFactory, seat

TOKYO = ZoneInfo("Asia/Tokyo")

SEES_NETWORK = ["coordinator", "auditor", "member", "colleague", "representative", "admin"]
SEES_EVERYONES = ["coordinator", "auditor", "admin"]
SEES_ONLY_OWN = ["member", "colleague", "representative"]


@pytest.fixture(autouse=True)
def now(time_machine):
    """Noon on 2024-06-15 in Tokyo (fiscal year 2024) unless a test moves the clock."""
    moment = datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO)
    time_machine.move_to(moment, tick=False)
    return moment


def url(network) -> str:
    return f"/api/v1/networks/{network.pk}/pledges/"


def sign(person, network, **kwargs) -> ConfidentialityPledge:
    return services.pledge_sign(person=person, network=network, **kwargs)[0]


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- signing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [(p, 201) for p in SEES_NETWORK] + [("stranger", 404), ("anonymous", 401)],
)
def test_sign_matrix(world, api_as, persona, status):
    response = api_as(world.person(persona)).post(url(world.network), {}, format="json")

    assert response.status_code == status, response.content
    assert ConfidentialityPledge.objects.filter(network=world.network).count() == (
        1 if status == 201 else 0
    )


def test_sign_records_the_person_year_version_and_time(world, api_as, now):
    response = api_as(world.member).post(url(world.network), {}, format="json")

    assert response.status_code == 201, response.content
    pledge = ConfidentialityPledge.objects.get()
    assert pledge.person == world.member
    assert pledge.network == world.network
    assert pledge.fiscal_year == 2024
    assert pledge.text_version == 1
    assert pledge.signed_at == now
    body = response.json()
    assert body["fiscal_year"] == 2024
    assert body["text_version"] == 1
    assert body["person"] == world.member.pk
    assert body["network"] == world.network.pk
    assert datetime.fromisoformat(body["signed_at"]) == now
    assert body["fiscal_year_label"]


@pytest.mark.parametrize(
    ("moment", "fiscal_year"),
    [
        (datetime(2022, 3, 31, 12, 0, tzinfo=TOKYO), 2021),
        (datetime(2022, 3, 31, 23, 59, 59, tzinfo=TOKYO), 2021),
        (datetime(2022, 4, 1, 0, 0, tzinfo=TOKYO), 2022),
        (datetime(2022, 4, 1, 9, 0, tzinfo=TOKYO), 2022),
        # 15:00 UTC on 31 March is already 1 April in Tokyo.
        (datetime(2022, 3, 31, 15, 0, tzinfo=UTC), 2022),
        (datetime(2022, 3, 31, 14, 59, 59, tzinfo=UTC), 2021),
        (datetime(2023, 1, 5, 10, 0, tzinfo=TOKYO), 2022),
        (datetime(2022, 12, 31, 23, 0, tzinfo=TOKYO), 2022),
    ],
)
def test_sign_is_for_the_fiscal_year_of_today_in_tokyo(
    world, api_as, time_machine, moment, fiscal_year
):
    time_machine.move_to(moment, tick=False)

    response = api_as(world.member).post(url(world.network), {}, format="json")

    assert response.status_code == 201
    assert response.json()["fiscal_year"] == fiscal_year
    assert ConfidentialityPledge.objects.get().fiscal_year == fiscal_year


def test_signing_again_in_the_same_year_is_200_and_keeps_one_row(world, api_as, time_machine):
    client = api_as(world.member)
    first = client.post(url(world.network), {}, format="json")
    time_machine.move_to(datetime(2025, 3, 31, 18, 0, tzinfo=TOKYO), tick=False)

    second = client.post(url(world.network), {}, format="json")

    assert first.status_code == 201
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["signed_at"] == first.json()["signed_at"]
    assert ConfidentialityPledge.objects.filter(person=world.member).count() == 1


def test_signing_in_the_next_fiscal_year_adds_a_pledge(world, api_as, time_machine):
    client = api_as(world.member)
    client.post(url(world.network), {}, format="json")
    time_machine.move_to(datetime(2025, 4, 1, 9, 0, tzinfo=TOKYO), tick=False)

    response = client.post(url(world.network), {}, format="json")

    assert response.status_code == 201
    years = ConfidentialityPledge.objects.filter(person=world.member).values_list(
        "fiscal_year", flat=True
    )
    assert sorted(years) == [2024, 2025]


def test_a_pledge_in_one_network_does_not_count_for_another(world, api_as):
    seat(world.other_network, world.member.agency)
    client = api_as(world.member)
    client.post(url(world.network), {}, format="json")

    response = client.post(url(world.other_network), {}, format="json")

    assert response.status_code == 201
    assert ConfidentialityPledge.objects.filter(person=world.member).count() == 2


def test_signing_the_current_text_version_is_accepted(world, api_as):
    services.network_update(network=world.network, pledge_text="改訂版")

    response = api_as(world.member).post(url(world.network), {"text_version": 2}, format="json")

    assert response.status_code == 201, response.content
    assert ConfidentialityPledge.objects.get().text_version == 2


def test_signing_a_stale_text_version_is_400_and_stores_nothing(world, api_as):
    services.network_update(network=world.network, pledge_text="改訂版")

    response = api_as(world.member).post(url(world.network), {"text_version": 1}, format="json")

    assert response.status_code == 400
    assert "text_version" in response.json()
    assert not ConfidentialityPledge.objects.exists()


def test_signing_a_future_text_version_is_400(world, api_as):
    response = api_as(world.member).post(url(world.network), {"text_version": 2}, format="json")

    assert response.status_code == 400
    assert "text_version" in response.json()
    assert not ConfidentialityPledge.objects.exists()


def test_without_text_version_the_current_one_is_recorded(world, api_as):
    services.network_update(network=world.network, pledge_text="第二版")
    services.network_update(network=world.network, pledge_text="第三版")

    response = api_as(world.member).post(url(world.network), {}, format="json")

    assert response.json()["text_version"] == 3
    assert ConfidentialityPledge.objects.get().text_version == 3


def test_a_signed_pledge_keeps_the_version_signed_when_the_text_changes(world, api_as):
    api_as(world.member).post(url(world.network), {}, format="json")

    services.network_update(network=world.network, pledge_text="改訂版")

    assert ConfidentialityPledge.objects.get().text_version == 1


@pytest.mark.parametrize(
    "override",
    [
        {"fiscal_year": 2030},
        {"signed_at": "2020-01-01T00:00:00+09:00"},
        {"person": "OTHER"},
        {"network": "OTHER_NETWORK"},
    ],
)
def test_read_only_fields_in_the_body_are_ignored(world, api_as, now, override):
    body = {
        k: (
            world.colleague.pk
            if v == "OTHER"
            else world.other_network.pk
            if v == "OTHER_NETWORK"
            else v
        )
        for k, v in override.items()
    }

    response = api_as(world.member).post(url(world.network), body, format="json")

    assert response.status_code == 201
    pledge = ConfidentialityPledge.objects.get()
    assert (pledge.person, pledge.network) == (world.member, world.network)
    assert (pledge.fiscal_year, pledge.signed_at) == (2024, now)


@pytest.mark.parametrize(
    "body",
    [
        {"text_version": "abc"},
        {"text_version": 0},
        {"text_version": -1},
        {"text_version": 1.5},
        {"text_version": [1]},
        {"text_version": None},
        {"text_version": 10**30},
    ],
)
def test_bad_text_version_is_400_on_text_version(world, api_as, body):
    response = api_as(world.member).post(url(world.network), body, format="json")

    assert response.status_code == 400, response.content
    assert "text_version" in response.json()
    assert not ConfidentialityPledge.objects.exists()


@pytest.mark.parametrize("body", ["{", "[]", '"yes"', "text_version=1"])
def test_malformed_json_is_400(world, api_as, body):
    response = api_as(world.member).post(url(world.network), body, content_type="application/json")

    assert response.status_code == 400
    assert not ConfidentialityPledge.objects.exists()


def test_a_stranger_with_a_malformed_body_still_gets_404(world, api_as):
    response = api_as(world.stranger).post(url(world.network), "{", content_type="application/json")

    assert response.status_code == 404


@pytest.mark.parametrize("network_id", ["999999", "abc"])
def test_signing_for_a_missing_network_is_404(world, api_as, network_id):
    response = api_as(world.admin).post(f"/api/v1/networks/{network_id}/pledges/", {})

    assert response.status_code == 404
    assert not ConfidentialityPledge.objects.exists()


def test_a_person_whose_seat_ended_can_no_longer_sign(world, api_as, time_machine):
    membership = world.member.agency.memberships.get(network=world.network)
    membership.ends_on = datetime(2024, 6, 30).date()
    membership.save()
    time_machine.move_to(datetime(2024, 7, 1, 9, 0, tzinfo=TOKYO), tick=False)

    response = api_as(world.member).post(url(world.network), {}, format="json")

    assert response.status_code == 404
    assert not ConfidentialityPledge.objects.exists()


# --- listing ------------------------------------------------------------------------------


@pytest.fixture
def everyone_signed(world):
    """Every persona who sees network A has signed it; the stranger signed network B."""
    pledges = {p: sign(world.person(p), world.network) for p in SEES_NETWORK}
    pledges["stranger"] = sign(world.stranger, world.other_network)
    return pledges


@pytest.mark.parametrize(
    ("persona", "status"),
    [(p, 200) for p in SEES_NETWORK] + [("stranger", 404), ("anonymous", 401)],
)
def test_list_matrix(world, api_as, everyone_signed, persona, status):
    response = api_as(world.person(persona)).get(url(world.network))

    assert response.status_code == status, response.content


@pytest.mark.parametrize("persona", SEES_ONLY_OWN)
def test_a_member_lists_only_their_own_pledges(world, api_as, everyone_signed, persona):
    response = api_as(world.person(persona)).get(url(world.network))

    assert ids(response) == {everyone_signed[persona].pk}
    assert {row["person"] for row in response.json()["results"]} == {world.person(persona).pk}


@pytest.mark.parametrize("persona", SEES_EVERYONES)
def test_coordinators_auditors_and_admins_list_everyones(world, api_as, everyone_signed, persona):
    response = api_as(world.person(persona)).get(url(world.network))

    assert ids(response) == {everyone_signed[p].pk for p in SEES_NETWORK}


@pytest.mark.parametrize("persona", SEES_NETWORK)
def test_list_never_includes_another_networks_pledges(world, api_as, everyone_signed, persona):
    response = api_as(world.person(persona)).get(url(world.network))

    assert everyone_signed["stranger"].pk not in ids(response)
    assert {row["network"] for row in response.json()["results"]} == {world.network.pk}


def test_a_member_of_both_networks_lists_only_this_networks_pledge(world, api_as):
    seat(world.other_network, world.member.agency)
    here = sign(world.member, world.network)
    sign(world.member, world.other_network)

    response = api_as(world.member).get(url(world.network))

    assert ids(response) == {here.pk}


def test_a_member_filtering_by_someone_else_sees_nothing(world, api_as, everyone_signed):
    response = api_as(world.member).get(url(world.network), {"person": world.colleague.pk})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_filters_by_fiscal_year(world, api_as, time_machine):
    old = sign(world.member, world.network)
    time_machine.move_to(datetime(2025, 4, 2, 9, 0, tzinfo=TOKYO), tick=False)
    new = sign(world.member, world.network)
    client = api_as(world.coordinator)

    assert ids(client.get(url(world.network), {"fiscal_year": 2024})) == {old.pk}
    assert ids(client.get(url(world.network), {"fiscal_year": 2025})) == {new.pk}


def test_list_is_newest_fiscal_year_first(world, api_as, time_machine):
    sign(world.member, world.network)
    time_machine.move_to(datetime(2025, 4, 2, 9, 0, tzinfo=TOKYO), tick=False)
    sign(world.member, world.network)

    rows = api_as(world.member).get(url(world.network)).json()["results"]

    assert [row["fiscal_year"] for row in rows] == [2025, 2024]


@pytest.mark.parametrize("query", [{"fiscal_year": "last"}, {"person": "abc"}])
def test_list_with_a_bad_filter_is_400(world, api_as, query):
    response = api_as(world.coordinator).get(url(world.network), query)

    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["coordinator", "member"])
def test_list_query_count_does_not_grow_with_rows(
    world, api_as, django_assert_max_num_queries, persona
):
    client = api_as(world.person(persona))
    sign(world.person(persona), world.network)
    with CaptureQueriesContext(connection) as few:
        client.get(url(world.network))
    for _ in range(20):
        person = UserFactory(agency=world.member.agency)
        sign(person, world.network)

    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = client.get(url(world.network))

    assert response.status_code == 200
    assert len(many) == len(few)
