"""The meetings family's rules (permissions.rules, "meetings" section): who runs a network's
meetings, answers an invitation, records decisions, sets the yearly plan, and whose calendar
feed opens. Each: who may, who may not."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from agencies.models import User
from conferences.meetings import services as meeting_services
from conferences.models import Invitation, MeetingKind
from permissions.rules import (
    may_answer_invitation,
    may_read_calendar_feed,
    may_record_decisions,
    may_run_meetings,
    may_set_plans,
)

pytestmark = pytest.mark.django_db

NOT_COORDINATORS = ["member", "colleague", "representative", "auditor", "admin", "stranger"]
COORDINATOR_RULES = {
    "may_run_meetings": lambda user, world, meeting: may_run_meetings(user, world.network),
    "may_record_decisions": lambda user, world, meeting: may_record_decisions(user, meeting),
    "may_set_plans": lambda user, world, meeting: may_set_plans(user, world.network),
}


@pytest.fixture
def meeting(case_world, time_machine):
    """A convened practitioners' meeting of network A: member and peer are invited."""
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    world = case_world.world
    starts = datetime.fromisoformat("2026-12-10T14:00:00+09:00")
    draft = meeting_services.meeting_create(
        actor=world.coordinator,
        network=world.network,
        kind=MeetingKind.CASE_CONFERENCE,
        title="事例検討会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    return meeting_services.meeting_convene(actor=world.coordinator, meeting=draft)


@pytest.mark.parametrize("rule", COORDINATOR_RULES)
def test_the_networks_coordinator_may(case_world, meeting, rule):
    assert COORDINATOR_RULES[rule](case_world.world.coordinator, case_world.world, meeting)


@pytest.mark.parametrize("rule", COORDINATOR_RULES)
@pytest.mark.parametrize("persona", [*NOT_COORDINATORS, "peer"])
def test_nobody_else_may(case_world, meeting, rule, persona):
    # The platform admin included: they administer networks, they do not run their
    # meetings, record their decisions or set their plans.
    assert not COORDINATOR_RULES[rule](case_world.person(persona), case_world.world, meeting)


@pytest.mark.parametrize("rule", COORDINATOR_RULES)
def test_anonymous_may_not(case_world, meeting, rule):
    assert not COORDINATOR_RULES[rule](AnonymousUser(), case_world.world, meeting)


@pytest.mark.parametrize("rule", COORDINATOR_RULES)
def test_another_networks_coordinator_may_not(case_world, meeting, rule):
    other_coordinator = User.objects.get(username="other_coordinator")
    assert not COORDINATOR_RULES[rule](other_coordinator, case_world.world, meeting)
    # ... though they may in their own network.
    assert may_run_meetings(other_coordinator, case_world.world.other_network)
    assert may_set_plans(other_coordinator, case_world.world.other_network)


@pytest.mark.parametrize("rule", COORDINATOR_RULES)
def test_a_deactivated_coordinator_may_not(case_world, meeting, rule):
    coordinator = case_world.world.coordinator
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    coordinator = User.objects.get(pk=coordinator.pk)
    assert not COORDINATOR_RULES[rule](coordinator, case_world.world, meeting)


def test_only_the_invited_person_answers_their_invitation(case_world, meeting):
    world = case_world.world
    invitation = Invitation.objects.get(meeting=meeting, person=world.member)
    assert may_answer_invitation(world.member, invitation)
    # The colleague of the same agency, another invitee, the coordinator who convened it,
    # the platform admin, anyone: not theirs to answer.
    for persona in ["colleague", "peer", "coordinator", "representative", "auditor", "admin"]:
        assert not may_answer_invitation(case_world.person(persona), invitation), persona
    assert not may_answer_invitation(AnonymousUser(), invitation)
    peers = Invitation.objects.get(meeting=meeting, person=case_world.peer)
    assert may_answer_invitation(case_world.peer, peers)
    assert not may_answer_invitation(world.member, peers)


def test_an_active_persons_calendar_feed_opens(world):
    for persona in ["member", "coordinator", "representative", "auditor", "stranger"]:
        assert may_read_calendar_feed(world.person(persona)), persona


def test_a_deactivated_persons_calendar_feed_does_not(world):
    member = world.member
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert not may_read_calendar_feed(User.objects.get(pk=member.pk))
    assert not may_read_calendar_feed(None)
