"""`GET /api/v1/me/`: the account, its networks with roles and tiers, and its pledges."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import services
from network.models import Membership, StaffRole, Tier
from tests.factories import NetworkFactory, UserFactory, give_role, seat

TOKYO = ZoneInfo("Asia/Tokyo")
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def now(time_machine):
    moment = datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO)
    time_machine.move_to(moment, tick=False)
    return moment


def networks_of(client) -> list[dict]:
    response = client.get(ME)
    assert response.status_code == 200, response.content
    return response.json()["networks"]


@pytest.mark.parametrize(
    ("persona", "network", "roles", "tiers"),
    [
        ("coordinator", "network", ["coordinator"], []),
        ("auditor", "network", ["auditor"], []),
        ("member", "network", ["member"], ["practitioners"]),
        ("colleague", "network", ["member"], []),
        ("representative", "network", ["representative", "member"], ["representatives"]),
        ("stranger", "other_network", ["member"], ["practitioners"]),
    ],
)
def test_networks_roles_and_tiers_per_persona(world, api_as, persona, network, roles, tiers):
    assert networks_of(api_as(world.person(persona))) == [
        {"network": getattr(world, network).pk, "roles": roles, "tiers": tiers}
    ]


def test_the_platform_admin_holds_no_role_in_any_network(world, api_as):
    assert all(entry["roles"] == [] for entry in networks_of(api_as(world.admin)))


def test_anonymous_gets_401(world, api):
    response = api.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_describes_the_account(world, api_as):
    body = api_as(world.member).get(ME).json()

    assert body["id"] == world.member.pk
    assert body["username"] == "member"
    assert body["display_name"] == "実務 一郎"
    assert body["agency"] == world.member.agency_id
    assert body["is_platform_admin"] is False
    assert body["pledges"] == []
    assert "password" not in body


def test_me_marks_the_platform_admin(world, api_as):
    body = api_as(world.admin).get(ME).json()

    assert body["is_platform_admin"] is True
    assert body["agency"] is None


def test_a_coordinator_whose_agency_also_sits_is_coordinator_and_member(world, api_as):
    seat(world.network, world.coordinator.agency, Tier.PRACTITIONERS)

    assert networks_of(api_as(world.coordinator)) == [
        {"network": world.network.pk, "roles": ["coordinator", "member"], "tiers": []}
    ]


def test_a_person_with_both_staff_roles_lists_them_in_a_stable_order(world, api_as):
    give_role(world.network, world.auditor, StaffRole.Role.COORDINATOR)

    assert networks_of(api_as(world.auditor))[0]["roles"] == ["coordinator", "auditor"]


def test_a_person_designated_in_both_tiers_lists_both(world, api_as):
    seat(world.network, world.member.agency, Tier.REPRESENTATIVES, people=[world.member])

    assert networks_of(api_as(world.member)) == [
        {
            "network": world.network.pk,
            "roles": ["representative", "member"],
            "tiers": ["representatives", "practitioners"],
        }
    ]


def test_a_representatives_seat_without_designation_makes_no_representative(world, api_as):
    """The representative's colleague sits through the agency but is not designated."""
    deputy = UserFactory(agency=world.representative.agency)

    assert networks_of(api_as(deputy)) == [
        {"network": world.network.pk, "roles": ["member"], "tiers": []}
    ]


def test_networks_are_listed_in_id_order(world, api_as):
    third = NetworkFactory()
    seat(third, world.member.agency, Tier.REPRESENTATIVES, people=[world.member])
    seat(world.other_network, world.member.agency, Tier.PRACTITIONERS)

    entries = networks_of(api_as(world.member))

    assert [e["network"] for e in entries] == sorted(
        [world.network.pk, world.other_network.pk, third.pk]
    )
    by_id = {e["network"]: e for e in entries}
    assert by_id[world.other_network.pk] == {
        "network": world.other_network.pk,
        "roles": ["member"],
        "tiers": [],
    }
    assert by_id[third.pk]["roles"] == ["representative", "member"]


def test_an_ended_seat_drops_the_network(world, api_as, time_machine):
    membership = Membership.objects.get(network=world.network, agency=world.member.agency)
    membership.ends_on = date(2024, 6, 30)
    membership.save()
    client = api_as(world.member)
    assert len(networks_of(client)) == 1

    time_machine.move_to(datetime(2024, 7, 1, 9, 0, tzinfo=TOKYO), tick=False)

    assert networks_of(client) == []


def test_a_future_seat_is_not_listed_yet(world, api_as):
    third = NetworkFactory()
    seat(third, world.member.agency, starts_on=date(2024, 7, 1), people=[world.member])

    assert [e["network"] for e in networks_of(api_as(world.member))] == [world.network.pk]


def test_a_staff_role_is_listed_whatever_the_agencys_seats(world, api_as):
    assert not Membership.objects.filter(agency=world.coordinator.agency).exists()

    assert networks_of(api_as(world.coordinator))[0]["roles"] == ["coordinator"]


def test_me_lists_the_persons_own_pledges(world, api_as):
    seat(world.other_network, world.member.agency)
    mine_a = services.pledge_sign(person=world.member, network=world.network)[0]
    mine_b = services.pledge_sign(person=world.member, network=world.other_network)[0]
    services.pledge_sign(person=world.colleague, network=world.network)

    pledges = api_as(world.member).get(ME).json()["pledges"]

    assert {p["id"] for p in pledges} == {mine_a.pk, mine_b.pk}
    assert {p["network"] for p in pledges} == {world.network.pk, world.other_network.pk}
    assert all(p["fiscal_year"] == 2024 and p["person"] == world.member.pk for p in pledges)


def test_me_query_count_does_not_grow_with_networks_or_pledges(world, api_as):
    client = api_as(world.member)
    with CaptureQueriesContext(connection) as few:
        client.get(ME)
    for _ in range(10):
        network = NetworkFactory()
        seat(network, world.member.agency, people=[world.member])
        give_role(network, world.member, StaffRole.Role.AUDITOR)
        services.pledge_sign(person=world.member, network=network)

    with CaptureQueriesContext(connection) as many:
        body = client.get(ME).json()

    assert len(body["networks"]) == 11
    assert len(body["pledges"]) == 10
    assert len(many) == len(few) <= 3


def test_me_is_read_only(world, api_as):
    response = api_as(world.member).patch(ME, {"display_name": "別人"}, format="json")

    assert response.status_code == 405
    world.member.refresh_from_db()
    assert world.member.display_name == "実務 一郎"
