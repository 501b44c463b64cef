"""permissions.selectors: the list query and the object check answer the same question."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import User
from network import services
from network.models import Membership, Network, StaffRole, Tier
from permissions.selectors import network_access, visible_networks
from tests.factories import AgencyFactory, NetworkFactory, UserFactory, give_role, seat

TOKYO = ZoneInfo("Asia/Tokyo")
VIEW = "network.view_network"
ALL_PERSONAS = [
    "coordinator",
    "auditor",
    "member",
    "colleague",
    "representative",
    "admin",
    "stranger",
    "anonymous",
]


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO), tick=False)


def person(world, persona):
    return AnonymousUser() if persona == "anonymous" else world.person(persona)


def visible_ids(user) -> set[int]:
    return set(visible_networks(user).values_list("pk", flat=True))


def checked_ids(user) -> set[int]:
    return {n.pk for n in Network.objects.all() if user.has_perm(VIEW, n)}


def assert_agree(user) -> None:
    assert visible_ids(user) == checked_ids(user), user


# --- visible_networks ---------------------------------------------------------------------


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
        ("anonymous", set()),
    ],
)
def test_visible_networks_per_persona(world, persona, expected):
    assert visible_ids(person(world, persona)) == {getattr(world, n).pk for n in expected}


def test_visible_networks_is_one_query(world):
    for _ in range(5):
        seat(NetworkFactory(), world.member.agency)

    with CaptureQueriesContext(connection) as queries:
        result = list(visible_networks(world.member))

    assert len(result) == 6
    assert len(queries) == 1


def test_an_inactive_account_sees_nothing(world):
    world.member.is_active = False
    world.member.save()

    assert visible_ids(world.member) == set()
    assert not world.member.has_perm(VIEW, world.network)


def test_an_inactive_admin_sees_nothing(world):
    world.admin.is_active = False
    world.admin.save()

    assert visible_ids(world.admin) == set()
    assert checked_ids(world.admin) == set()


def test_an_account_without_an_agency_and_role_sees_nothing(world):
    loner = UserFactory(agency=None)

    assert visible_ids(loner) == set()
    assert_agree(loner)


# --- the two answers agree: every persona × network, through the life of a seat ----------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_and_check_agree_for_every_persona(world, persona):
    assert_agree(person(world, persona))


SEAT_SCENARIOS = {
    "current_open": (date(2020, 4, 1), None),
    "starts_today": (date(2024, 6, 15), None),
    "ends_today": (date(2024, 4, 1), date(2024, 6, 15)),
    "ended_yesterday": (date(2023, 4, 1), date(2024, 6, 14)),
    "long_ended": (date(2019, 4, 1), date(2020, 3, 31)),
    "starts_tomorrow": (date(2024, 6, 16), None),
    "future_closed": (date(2025, 4, 1), date(2026, 3, 31)),
    "one_day_today": (date(2024, 6, 15), date(2024, 6, 15)),
}


@pytest.mark.parametrize("scenario", SEAT_SCENARIOS)
@pytest.mark.parametrize("tier", [Tier.PRACTITIONERS, Tier.REPRESENTATIVES])
def test_list_and_check_agree_through_a_seats_life(world, scenario, tier):
    starts_on, ends_on = SEAT_SCENARIOS[scenario]
    agency = AgencyFactory()
    designated = UserFactory(agency=agency)
    undesignated = UserFactory(agency=agency)
    seat(world.network, agency, tier, people=[designated], starts_on=starts_on, ends_on=ends_on)
    expected_visible = starts_on <= date(2024, 6, 15) and (
        ends_on is None or ends_on >= date(2024, 6, 15)
    )

    for user in [designated, undesignated]:
        assert_agree(user)
        assert (world.network.pk in visible_ids(user)) is expected_visible, scenario


def test_list_and_check_agree_when_a_persona_also_sits_in_the_other_network(world):
    seat(world.other_network, world.member.agency, starts_on=date(2024, 1, 1))
    seat(world.other_network, world.representative.agency, ends_on=date(2024, 1, 1))

    for persona in ALL_PERSONAS:
        assert_agree(person(world, persona))
    assert visible_ids(world.member) == {world.network.pk, world.other_network.pk}
    assert visible_ids(world.representative) == {world.network.pk}


def test_list_and_check_agree_after_a_staff_role_comes_and_goes(world):
    helper = UserFactory(agency=None)
    role = give_role(world.other_network, helper, StaffRole.Role.AUDITOR)
    assert visible_ids(helper) == checked_ids(helper) == {world.other_network.pk}

    services.staff_role_remove(staff_role=role)

    assert visible_ids(helper) == checked_ids(helper) == set()


def test_list_and_check_agree_when_a_seat_ends_while_the_clock_moves(world, time_machine):
    membership = Membership.objects.get(agency=world.member.agency)
    membership.ends_on = date(2024, 6, 30)
    membership.save()

    for day in [date(2024, 6, 29), date(2024, 6, 30), date(2024, 7, 1)]:
        for hour in [0, 9, 23]:
            time_machine.move_to(datetime.combine(day, time(hour, 30), tzinfo=TOKYO), tick=False)
            assert_agree(world.member)
            assert (world.network.pk in visible_ids(world.member)) is (day <= date(2024, 6, 30))


seat_terms = st.tuples(
    st.integers(min_value=-900, max_value=900),  # start, in days from "today"
    st.one_of(st.none(), st.integers(min_value=0, max_value=900)),  # length, or open-ended
    st.sampled_from([Tier.PRACTITIONERS, Tier.REPRESENTATIVES]),
    st.booleans(),  # in network A (else B)
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    today=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(min_value=0, max_value=23),
    seats=st.lists(st.lists(seat_terms, max_size=3), min_size=1, max_size=3),
    auditor_of_b=st.booleans(),
)
def test_list_and_check_agree_for_any_terms_and_any_day(world, today, hour, seats, auditor_of_b):
    """Agencies with any mix of past, current and future seats in either network, on any
    day and hour: `visible_networks` and `has_perm` give the same answer for everyone."""
    with transaction.atomic():
        people: list = [person(world, p) for p in ALL_PERSONAS]
        for terms in seats:
            agency = AgencyFactory()
            staff = [UserFactory(agency=agency), UserFactory(agency=agency)]
            people += staff
            for start, length, tier, in_a in terms:
                starts_on = today + timedelta(days=start)
                Membership.objects.create(
                    network=world.network if in_a else world.other_network,
                    agency=agency,
                    tier=tier,
                    starts_on=starts_on,
                    ends_on=None if length is None else starts_on + timedelta(days=length),
                )
            if auditor_of_b:
                give_role(world.other_network, staff[0], StaffRole.Role.AUDITOR)

        with time_machine.travel(datetime.combine(today, time(hour), tzinfo=TOKYO), tick=False):
            for user in people:
                assert_agree(user)
                if user.is_authenticated and not user.is_superuser:
                    listed = {entry.network for entry in network_access(user)}
                    assert listed == visible_ids(user), user

        transaction.set_rollback(True)


# --- network_access -----------------------------------------------------------------------


def access_of(user) -> list[tuple[int, list[str], list[str]]]:
    return [(a.network, a.roles, a.tiers) for a in network_access(user)]


def test_network_access_for_anonymous_is_empty(world):
    assert network_access(AnonymousUser()) == []


def test_network_access_follows_the_docstring_rules(world):
    n = world.network.pk
    assert access_of(world.coordinator) == [(n, ["coordinator"], [])]
    assert access_of(world.auditor) == [(n, ["auditor"], [])]
    assert access_of(world.member) == [(n, ["member"], ["practitioners"])]
    assert access_of(world.colleague) == [(n, ["member"], [])]
    assert access_of(world.representative) == [
        (n, ["representative", "member"], ["representatives"])
    ]
    assert access_of(world.stranger) == [(world.other_network.pk, ["member"], ["practitioners"])]


def test_network_access_ignores_seats_outside_their_term(world):
    agency = AgencyFactory()
    rep = UserFactory(agency=agency)
    seat(world.network, agency, Tier.REPRESENTATIVES, people=[rep], ends_on=date(2024, 6, 14))
    seat(
        world.other_network, agency, Tier.REPRESENTATIVES, people=[rep], starts_on=date(2025, 1, 1)
    )

    assert network_access(rep) == []


def test_network_access_takes_two_queries_whatever_the_number_of_networks(world):
    for _ in range(6):
        network = NetworkFactory()
        seat(network, world.member.agency, Tier.REPRESENTATIVES, people=[world.member])
        give_role(network, world.member, StaffRole.Role.AUDITOR)
    member = User.objects.get(pk=world.member.pk)

    with CaptureQueriesContext(connection) as queries:
        access = network_access(member)

    assert len(access) == 7
    assert len(queries) == 2


def test_has_perm_view_network_on_no_object_is_false_for_everyone_but_the_admin(world):
    assert not world.coordinator.has_perm(VIEW)
    assert not world.member.has_perm(VIEW)
    assert world.admin.has_perm(VIEW)
