"""permissions.rules, the role division's section: who may, who may not, for each predicate.

The world is `roles_world` (tests/conferences/role_fixtures.py): a held case conference of
network A with the clinic's submitted case on its agenda and a review of it by the
coordinator. Invited to the meeting: `member` (the clinic, designated), `peer` (ハローワーク)
and `third` (保健所); `colleague` is the clinic's staff, not designated; `outsider` is the
staff of an agency outside the network."""

import pytest
from django.contrib.auth.models import AnonymousUser

from conferences.models import Attendance
from network.models import ConfidentialityPledge, Tier
from permissions import rules
from tests.conferences.role_fixtures import (
    add_invited_role,
    add_role,
    final_review,
    roles_world,  # noqa: F401  (the fixture)
)
from tests.factories import UserFactory, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(request):
    return request.getfixturevalue("roles_world")


def who(rw, persona):
    return AnonymousUser() if persona == "anonymous" else rw.person(persona)


def allowed(rw, personas, predicate) -> set[str]:
    return {p for p in personas if predicate(who(rw, p))}


EVERYONE = [
    "coordinator",
    "member",
    "colleague",
    "peer",
    "third",
    "outsider",
    "representative",
    "auditor",
    "admin",
    "stranger",
]


def test_is_attendee(rw):
    meeting = rw.meeting
    assert allowed(rw, EVERYONE, lambda u: rules.is_attendee(u, meeting)) == {
        "member",
        "peer",
        "third",
    }
    assert not rules.is_attendee(rw.world.member, None)


def test_an_attendee_recorded_absent_or_a_meeting_no_longer_held_has_no_attendee(rw):
    meeting = rw.meeting
    Attendance.objects.create(
        meeting=meeting, person=rw.cw.peer, agency=rw.cw.peer.agency, status="absent"
    )
    assert not rules.is_attendee(rw.cw.peer, meeting)
    meeting.status = "closed"
    meeting.save(update_fields=["status"])
    assert not rules.is_attendee(rw.world.member, meeting)


def test_designated_for(rw):
    clinic, network = rw.world.member.agency_id, rw.world.network.pk
    assert rules.designated_for(rw.world.member, clinic, network)
    assert not rules.designated_for(rw.world.colleague, clinic, network)  # not designated
    assert not rules.designated_for(rw.third, clinic, network)  # another agency
    assert not rules.designated_for(rw.world.member, clinic, rw.world.other_network.pk)
    council = rw.world.representative.agency_id  # representatives' tier only
    assert not rules.designated_for(rw.world.representative, council, network)


def test_may_read_reviews_and_export_the_role_division(rw):
    readers = {"coordinator", "member", "colleague", "peer", "third"}
    assert allowed(rw, EVERYONE, lambda u: rules.may_read_reviews(u, rw.case)) == readers
    assert allowed(rw, EVERYONE, lambda u: rules.may_export_role_division(u, rw.review)) == readers


def test_may_write_review(rw):
    case, meeting = rw.case, rw.meeting
    at_meeting = allowed(rw, EVERYONE, lambda u: rules.may_write_review(u, case, meeting))
    assert at_meeting == {"coordinator", "member", "peer", "third"}
    outside = allowed(rw, EVERYONE, lambda u: rules.may_write_review(u, case, None))
    assert outside == {"coordinator"}


def test_nobody_writes_a_review_they_may_not_read(rw):
    ConfidentialityPledge.objects.filter(person=rw.world.coordinator).delete()
    assert not rules.may_write_review(rw.world.coordinator, rw.case, None)


def test_may_assign_roles(rw):
    assigners = allowed(rw, EVERYONE, lambda u: rules.may_assign_roles(u, rw.review))
    assert assigners == {"coordinator", "member", "peer", "third"}
    rw.meeting.status = "closed"
    rw.meeting.save(update_fields=["status"])
    rw.review.refresh_from_db()
    assigners = allowed(rw, EVERYONE, lambda u: rules.may_assign_roles(u, rw.review))
    assert assigners == {"coordinator"}  # attendees only while the meeting is held


def test_may_finalize_review(rw):
    finalizers = allowed(rw, EVERYONE, lambda u: rules.may_finalize_review(u, rw.review))
    assert finalizers == {"coordinator"}


def test_may_invite_role_agency(rw):
    role = add_role(rw, rw.outsider.agency, function="place_to_belong")
    assert allowed(rw, EVERYONE, lambda u: rules.may_invite_role_agency(u, role)) == {"coordinator"}


def test_may_answer_role(rw):
    role = add_role(rw, rw.world.member.agency)
    assert allowed(rw, EVERYONE, lambda u: rules.may_answer_role(u, role)) == {"member"}
    on_behalf = allowed(rw, EVERYONE, lambda u: rules.may_answer_role(u, role, on_behalf=True))
    assert on_behalf == {"coordinator"}


def test_may_read_own_agency_roles(rw):
    assert not rules.may_read_own_agency_roles(rw.outsider, rw.case)  # sees nothing yet
    add_invited_role(rw, rw.outsider.agency, function="place_to_belong")
    assert rules.may_read_own_agency_roles(rw.outsider, rw.case)
    assert not rules.may_read_own_agency_roles(rw.world.admin, rw.case)
    assert not rules.may_read_own_agency_roles(rw.world.stranger, rw.case)
    assert not rules.may_read_own_agency_roles(AnonymousUser(), rw.case)
    ConfidentialityPledge.objects.filter(person=rw.outsider).delete()
    assert not rules.may_read_own_agency_roles(rw.outsider, rw.case)  # no pledge


def test_role_reading(rw):
    add_invited_role(rw, rw.outsider.agency, function="place_to_belong")
    coordinator = rules.role_reading(rw.world.coordinator, rw.case)
    assert coordinator.all
    outsider = rules.role_reading(rw.outsider, rw.case)
    assert (outsider.all, outsider.own_agency) == (False, rw.outsider.agency_id)
    stranger = rules.role_reading(rw.world.stranger, rw.case)
    assert (stranger.all, stranger.own_agency) == (False, None)


def test_may_read_role(rw):
    lead = add_role(rw, rw.world.member.agency)
    theirs = add_invited_role(rw, rw.outsider.agency, function="place_to_belong")
    readers = {"coordinator", "member", "colleague", "peer", "third"}
    assert allowed(rw, EVERYONE, lambda u: rules.may_read_role(u, lead)) == readers
    assert allowed(rw, EVERYONE, lambda u: rules.may_read_role(u, theirs)) == readers | {"outsider"}


def test_may_read_progress(rw):
    lead, _family = final_review(rw)
    # The lead's agency (the clinic's staff) and the coordinators: not another role holder.
    assert allowed(rw, EVERYONE, lambda u: rules.may_read_progress(u, lead)) == {
        "coordinator",
        "member",
        "colleague",
    }


def test_may_record_progress(rw):
    lead, _family = final_review(rw)
    assert allowed(rw, EVERYONE, lambda u: rules.may_record_progress(u, lead)) == {
        "coordinator",
        "member",
        "colleague",
    }


def test_may_read_follow_ups(rw):
    network = rw.world.network
    assert allowed(rw, EVERYONE, lambda u: rules.may_read_follow_ups(u, network)) == {"coordinator"}


def test_may_read_role_load(rw):
    network = rw.world.network
    assert allowed(rw, EVERYONE, lambda u: rules.may_read_role_load(u, network)) == {
        "coordinator",
        "member",
        "colleague",  # staff of a practitioners'-tier agency
        "peer",
        "third",
    }


def test_a_representative_reads_the_role_load_only_when_designated_a_practitioner(rw):
    council, network = rw.world.representative.agency, rw.world.network
    membership = seat(network, council, Tier.PRACTITIONERS, people=[UserFactory(agency=council)])
    assert not rules.may_read_role_load(rw.world.representative, network)
    membership.designated_people.add(rw.world.representative)
    assert rules.may_read_role_load(rw.world.representative, network)


def test_may_add_role_tasks_to_agenda(rw):
    meeting = rw.meeting
    assert allowed(rw, EVERYONE, lambda u: rules.may_add_role_tasks_to_agenda(u, meeting)) == {
        "coordinator"
    }
