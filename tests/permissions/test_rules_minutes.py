"""The minutes rules of `permissions.rules`: who may read, comment on and write a meeting's
minutes and record its attendance, and who may not."""

import pytest

from agencies.models import User
from config import clock
from network.models import ConfidentialityPledge, Tier
from permissions import rules
from tests.conferences.minutes_world import convened_representatives_meeting, held_case_conference
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_meeting(api_as, case_world, time_machine):
    return held_case_conference(api_as, case_world, time_machine)


@pytest.fixture
def reps_meeting(api_as, case_world, time_machine):
    return convened_representatives_meeting(api_as, case_world, time_machine)


def fresh(user) -> User:
    """The person as a new request would load them (no cached permissions)."""
    return User.objects.get(pk=user.pk)


def unpledge(user):
    ConfidentialityPledge.objects.filter(person=user).delete()


# --- is_invited ---------------------------------------------------------------------------------


def test_is_invited_names_the_invitees_only(case_world, case_meeting):
    world = case_world.world
    assert rules.is_invited(world.member, case_meeting)
    assert rules.is_invited(case_world.peer, case_meeting)
    for person in (world.coordinator, world.colleague, world.representative, world.stranger):
        assert not rules.is_invited(person, case_meeting)


def test_an_invitee_who_left_the_agency_is_invited_no_more(case_world, case_meeting):
    member = case_world.world.member
    member.agency = AgencyFactory(name="別の事業所")
    member.save()
    assert not rules.is_invited(member, case_meeting)


# --- may_read_minutes ---------------------------------------------------------------------------


def test_case_minutes_are_case_content_and_representatives_are_not(case_meeting, reps_meeting):
    assert rules.minutes_are_case_content(case_meeting)
    assert not rules.minutes_are_case_content(reps_meeting)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("coordinator", True),
        ("member", True),  # invited, within the window
        ("peer", True),  # invited, within the window
        ("colleague", False),  # same agency as member, not invited
        ("representative", False),  # not invited to a practitioners' meeting
        ("auditor", False),
        ("admin", False),
        ("stranger", False),  # another network
    ],
)
def test_who_reads_case_minutes(case_world, case_meeting, persona, allowed):
    assert rules.may_read_minutes(fresh(case_world.person(persona)), case_meeting) is allowed


def test_a_coordinator_without_a_current_pledge_does_not_read_case_minutes(
    case_world, case_meeting
):
    coordinator = case_world.world.coordinator
    unpledge(coordinator)
    assert rules.coordinates(fresh(coordinator), case_meeting.network)
    assert not rules.may_read_minutes(fresh(coordinator), case_meeting)


def test_an_invitee_without_a_current_pledge_does_not_read_case_minutes(case_world, case_meeting):
    unpledge(case_world.world.member)
    assert not rules.may_read_minutes(fresh(case_world.world.member), case_meeting)


def test_a_pledge_of_last_fiscal_year_is_no_pledge(case_world, case_meeting):
    member = case_world.world.member
    ConfidentialityPledge.objects.filter(person=member).update(fiscal_year=2025)
    assert not rules.may_read_minutes(fresh(member), case_meeting)


def test_invitees_read_case_minutes_until_the_window_ends_coordinators_after(
    case_world, case_meeting, time_machine
):
    world = case_world.world
    time_machine.move_to("2026-12-24 15:59 +0900", tick=False)  # ended 16:00 + 14 days
    assert rules.may_read_minutes(fresh(world.member), case_meeting)
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)
    assert not rules.may_read_minutes(fresh(world.member), case_meeting)
    assert not rules.may_read_minutes(fresh(case_world.peer), case_meeting)
    assert rules.may_read_minutes(fresh(world.coordinator), case_meeting)


def test_a_pledged_platform_admin_does_not_read_case_minutes(case_world, case_meeting):
    admin = case_world.world.admin
    ConfidentialityPledge.objects.create(
        person=admin,
        network=case_meeting.network,
        fiscal_year=ConfidentialityPledge.objects.filter(person=case_world.world.member)
        .get()
        .fiscal_year,
        text_version=case_meeting.network.pledge_text_version,
        signed_at=clock.now(),
    )
    assert rules.holds_current_pledge(admin, case_meeting.network_id)
    assert not rules.may_read_minutes(fresh(admin), case_meeting)


def test_representatives_minutes_are_read_by_whoever_sees_the_meeting(case_world, reps_meeting):
    world = case_world.world
    unpledge(world.representative)
    assert rules.may_read_minutes(fresh(world.representative), reps_meeting)
    unpledge(world.coordinator)
    assert rules.may_read_minutes(fresh(world.coordinator), reps_meeting)


# --- may_comment_on_minutes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("coordinator", True),
        ("member", True),
        ("peer", True),
        ("colleague", False),
        ("representative", False),
        ("auditor", False),
        ("admin", False),
        ("stranger", False),
    ],
)
def test_who_comments_on_case_minutes(case_world, case_meeting, persona, allowed):
    person = fresh(case_world.person(persona))
    assert rules.may_comment_on_minutes(person, case_meeting) is allowed


def test_invitees_stop_commenting_when_the_window_ends(case_world, case_meeting, time_machine):
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)
    assert not rules.may_comment_on_minutes(fresh(case_world.world.member), case_meeting)
    assert rules.may_comment_on_minutes(fresh(case_world.world.coordinator), case_meeting)


def test_a_coordinator_without_a_pledge_does_not_comment_on_case_minutes(case_world, case_meeting):
    unpledge(case_world.world.coordinator)
    assert not rules.may_comment_on_minutes(fresh(case_world.world.coordinator), case_meeting)


def test_on_representatives_minutes_the_invited_comment_and_a_latecomer_does_not(
    case_world, reps_meeting
):
    world = case_world.world
    council = AgencyFactory(name="民生委員児童委員協議会")
    latecomer = UserFactory(agency=council)
    seat(world.network, council, Tier.REPRESENTATIVES, people=[latecomer])
    assert rules.may_comment_on_minutes(fresh(world.representative), reps_meeting)
    assert rules.may_comment_on_minutes(fresh(world.coordinator), reps_meeting)
    assert rules.may_read_minutes(fresh(latecomer), reps_meeting)
    assert not rules.may_comment_on_minutes(fresh(latecomer), reps_meeting)


# --- may_write_minutes, may_record_attendance ---------------------------------------------------


@pytest.mark.parametrize("rule", ["may_write_minutes", "may_record_attendance"])
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("coordinator", True),
        ("member", False),  # invited, not a coordinator
        ("peer", False),
        ("colleague", False),
        ("representative", False),
        ("auditor", False),
        ("admin", False),  # a platform admin is no coordinator
        ("stranger", False),
    ],
)
def test_only_coordinators_write_minutes_and_record_attendance(
    case_world, case_meeting, reps_meeting, rule, persona, allowed
):
    person = fresh(case_world.person(persona))
    assert getattr(rules, rule)(person, case_meeting) is allowed
    assert getattr(rules, rule)(person, reps_meeting) is allowed


def test_another_networks_coordinator_writes_nothing_here(case_world, case_meeting):
    other = User.objects.get(username="other_coordinator")
    assert not rules.may_write_minutes(other, case_meeting)
    assert not rules.may_record_attendance(other, case_meeting)
    assert not rules.may_read_minutes(other, case_meeting)


def test_a_coordinator_writes_without_a_pledge_but_does_not_read_case_minutes(
    case_world, case_meeting
):
    # Writing is the coordinator's; the response's reading still needs the pledge (the
    # write-and-read services refuse the whole, leaving nothing written).
    unpledge(case_world.world.coordinator)
    coordinator = fresh(case_world.world.coordinator)
    assert rules.may_write_minutes(coordinator, case_meeting)
    assert not rules.may_read_minutes(coordinator, case_meeting)
