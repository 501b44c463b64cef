"""The minutes services called directly (not through the API) refuse a person without the
right, with the code the API answers, and change nothing."""

import pytest

from agencies.models import User
from conferences.minutes import services
from conferences.models import Attendance, Minutes, MinutesComment, MinutesRevision
from config.errors import Forbidden
from network.models import ConfidentialityPledge, Network, Tier
from permissions.models import AccessRecord
from tests.conferences.minutes_world import (
    MINUTES,
    convened_representatives_meeting,
    held_case_conference,
)
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

VIA = "test"
COMMENT = "家族面談は月2回と記載をお願いします。"


@pytest.fixture
def meeting(api_as, case_world, time_machine):
    """The held case conference, with draft minutes its coordinator wrote."""
    meeting = held_case_conference(api_as, case_world, time_machine)
    services.minutes_save(actor=case_world.world.coordinator, meeting=meeting, body=MINUTES)
    return meeting


@pytest.fixture
def circulated(case_world, meeting):
    services.minutes_circulate(actor=case_world.world.coordinator, meeting=meeting)
    return meeting


@pytest.fixture
def approved(case_world, meeting):
    services.minutes_approve(actor=case_world.world.coordinator, meeting=meeting)
    return meeting


def state():
    """Everything the minutes services write, and the access chains."""
    return (
        list(
            Minutes.objects.values_list(
                "pk", "status", "revision", "body", "sealed_body", "approved_by_id"
            )
        ),
        list(MinutesRevision.objects.values_list("pk", "body", "sealed_body")),
        list(MinutesComment.objects.values_list("pk", "body", "sealed_body")),
        list(Attendance.objects.values_list("pk", "person_id", "status")),
        AccessRecord.objects.count(),
    )


def refused(code: str, call) -> None:
    before = state()
    with pytest.raises(Forbidden) as raised:
        call()
    assert raised.value.code == code
    assert state() == before


NOT_COORDINATORS = ["member", "peer", "colleague", "representative", "auditor", "admin", "stranger"]


# --- writing the minutes: coordinators only ---------------------------------------------------


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_minutes_save_refuses_all_but_coordinators(case_world, meeting, persona):
    person = case_world.person(persona)
    refused(
        "coordinator_only",
        lambda: services.minutes_save(actor=person, meeting=meeting, body="書き換え"),
    )
    refused(
        "coordinator_only",
        lambda: services.minutes_save_and_read(
            actor=person, meeting=meeting, body="書き換え", via=VIA
        ),
    )


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_circulating_and_approving_refuse_all_but_coordinators(case_world, meeting, persona):
    person = case_world.person(persona)
    for step in (
        services.minutes_circulate,
        services.minutes_approve,
    ):
        refused("coordinator_only", lambda step=step: step(actor=person, meeting=meeting))
    for step in (services.minutes_circulate_and_read, services.minutes_approve_and_read):
        refused("coordinator_only", lambda step=step: step(actor=person, meeting=meeting, via=VIA))
    assert Minutes.objects.get().status == Minutes.Status.DRAFT


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_amending_refuses_all_but_coordinators(case_world, approved, persona):
    person = case_world.person(persona)
    refused(
        "coordinator_only",
        lambda: services.minutes_amend(actor=person, meeting=approved, body="訂正", note="誤字"),
    )
    refused(
        "coordinator_only",
        lambda: services.minutes_amend_and_read(
            actor=person, meeting=approved, body="訂正", note="誤字", via=VIA
        ),
    )


def test_another_networks_coordinator_writes_nothing(case_world, meeting):
    other = User.objects.get(username="other_coordinator")
    refused(
        "coordinator_only",
        lambda: services.minutes_save(actor=other, meeting=meeting, body="他市から"),
    )
    refused("coordinator_only", lambda: services.minutes_approve(actor=other, meeting=meeting))


# --- writing and reading back: one transaction ------------------------------------------------


def test_a_coordinator_without_a_pledge_writes_nothing_when_the_reading_is_refused(
    case_world, meeting
):
    coordinator = case_world.world.coordinator
    ConfidentialityPledge.objects.filter(person=coordinator).delete()
    coordinator = User.objects.get(pk=coordinator.pk)
    refused(
        "minutes_not_readable",
        lambda: services.minutes_save_and_read(
            actor=coordinator, meeting=meeting, body="書き換え", via=VIA
        ),
    )
    refused(
        "minutes_not_readable",
        lambda: services.minutes_circulate_and_read(actor=coordinator, meeting=meeting, via=VIA),
    )
    refused(
        "minutes_not_readable",
        lambda: services.minutes_approve_and_read(actor=coordinator, meeting=meeting, via=VIA),
    )


def test_a_refused_second_factor_leaves_nothing_written(case_world, circulated):
    Network.objects.filter(pk=circulated.network_id).update(require_two_factor=True)
    circulated.network.refresh_from_db()
    world = case_world.world
    coordinator = User.objects.get(pk=world.coordinator.pk)  # no verified sign-in
    refused(
        "otp_required",
        lambda: services.minutes_save_and_read(
            actor=coordinator, meeting=circulated, body="書き換え", via=VIA
        ),
    )
    refused(
        "otp_required",
        lambda: services.minutes_approve_and_read(actor=coordinator, meeting=circulated, via=VIA),
    )
    refused(
        "otp_required",
        lambda: services.minutes_comment_add_and_read(
            author=User.objects.get(pk=world.member.pk), meeting=circulated, body=COMMENT, via=VIA
        ),
    )
    services.minutes_approve(actor=coordinator, meeting=circulated)  # the write alone goes
    refused(
        "otp_required",
        lambda: services.minutes_amend_and_read(
            actor=coordinator, meeting=circulated, body="訂正", note="誤字", via=VIA
        ),
    )


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["colleague", "representative", "auditor", "admin", "stranger"])
def test_reading_refuses_whoever_may_not_read(case_world, circulated, persona):
    services.minutes_comment_add(author=case_world.world.member, meeting=circulated, body=COMMENT)
    person = case_world.person(persona)
    refused(
        "minutes_not_readable",
        lambda: services.minutes_read(reader=person, meeting=circulated, via=VIA),
    )
    refused(
        "minutes_not_readable",
        lambda: services.minutes_comments_read(reader=person, meeting=circulated, via=VIA),
    )


def test_invitees_are_refused_after_the_window(case_world, circulated, time_machine):
    services.minutes_comment_add(author=case_world.world.member, meeting=circulated, body=COMMENT)
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)
    member = case_world.world.member
    refused(
        "minutes_not_readable",
        lambda: services.minutes_read(reader=member, meeting=circulated, via=VIA),
    )
    refused(
        "minutes_not_readable",
        lambda: services.minutes_comments_read(reader=member, meeting=circulated, via=VIA),
    )
    refused(
        "minutes_not_readable",
        lambda: services.minutes_comment_add(author=member, meeting=circulated, body=COMMENT),
    )


def test_an_allowed_reading_is_returned_and_recorded(case_world, circulated):
    before = AccessRecord.objects.count()
    data = services.minutes_read(reader=case_world.world.member, meeting=circulated, via=VIA)
    assert data["body"] == MINUTES
    assert AccessRecord.objects.count() == before + 1  # one case on the agenda


# --- comments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["colleague", "representative", "auditor", "admin", "stranger"])
def test_commenting_refuses_whoever_may_not_read(case_world, circulated, persona):
    person = case_world.person(persona)
    refused(
        "minutes_not_readable",
        lambda: services.minutes_comment_add(author=person, meeting=circulated, body=COMMENT),
    )
    refused(
        "minutes_not_readable",
        lambda: services.minutes_comment_add_and_read(
            author=person, meeting=circulated, body=COMMENT, via=VIA
        ),
    )


def test_commenting_refuses_a_reader_not_invited(api_as, case_world, time_machine):
    world = case_world.world
    meeting = convened_representatives_meeting(api_as, case_world, time_machine)
    services.minutes_save(actor=world.coordinator, meeting=meeting, body="年間計画を承認した。")
    services.minutes_circulate(actor=world.coordinator, meeting=meeting)
    council = AgencyFactory(name="民生委員児童委員協議会")
    latecomer = UserFactory(agency=council)
    seat(world.network, council, Tier.REPRESENTATIVES, people=[latecomer])
    assert services.minutes_read(reader=latecomer, meeting=meeting, via=VIA)["body"]
    refused(
        "not_invited",
        lambda: services.minutes_comment_add(author=latecomer, meeting=meeting, body="意見"),
    )
    refused(
        "not_invited",
        lambda: services.minutes_comment_add_and_read(
            author=latecomer, meeting=meeting, body="意見", via=VIA
        ),
    )


# --- attendance --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_attendance_record_refuses_all_but_coordinators(case_world, meeting, persona):
    entries = [{"person": case_world.world.member.pk, "status": "present"}]
    services.attendance_record(actor=case_world.world.coordinator, meeting=meeting, entries=entries)
    person = case_world.person(persona)
    refused(
        "coordinator_only",
        lambda: services.attendance_record(
            actor=person,
            meeting=meeting,
            entries=[{"person": case_world.peer.pk, "status": "absent"}],
        ),
    )
    assert list(Attendance.objects.values_list("person_id", "status")) == [
        (case_world.world.member.pk, "present")
    ]
