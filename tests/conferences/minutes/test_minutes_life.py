"""The life of the minutes: written for a convened or held meeting, circulated from draft,
approved, then locked (amendments only); each refusal is 409 with its rule and writes
nothing."""

import pytest

from conferences.minutes import services
from conferences.models import Meeting, MeetingStatus, Minutes
from config.errors import Conflict
from tests.conferences.minutes_world import MINUTES, held_case_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(api_as, case_world, time_machine):
    return held_case_conference(api_as, case_world, time_machine)


def conflict(code: str, call) -> None:
    before = list(Minutes.objects.values_list("pk", "status", "revision"))
    with pytest.raises(Conflict) as refused:
        call()
    assert refused.value.code == code
    assert list(Minutes.objects.values_list("pk", "status", "revision")) == before


@pytest.mark.parametrize("step", ["minutes_circulate", "minutes_approve"])
def test_no_minutes_yet_cannot_be_circulated_or_approved(case_world, meeting, step):
    coordinator = case_world.world.coordinator
    conflict("no_minutes", lambda: getattr(services, step)(actor=coordinator, meeting=meeting))


def test_no_minutes_yet_take_no_amendment(case_world, meeting):
    coordinator = case_world.world.coordinator
    conflict(
        "no_minutes",
        lambda: services.minutes_amend(actor=coordinator, meeting=meeting, body="x", note="y"),
    )


def test_minutes_are_not_written_for_a_draft_meeting(case_world, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.DRAFT)
    meeting.refresh_from_db()
    coordinator = case_world.world.coordinator
    conflict(
        "meeting_not_held",
        lambda: services.minutes_save(actor=coordinator, meeting=meeting, body=MINUTES),
    )


def test_approved_minutes_are_locked(case_world, meeting):
    coordinator = case_world.world.coordinator
    services.minutes_save(actor=coordinator, meeting=meeting, body=MINUTES)
    services.minutes_approve(actor=coordinator, meeting=meeting)
    conflict(
        "minutes_approved", lambda: services.minutes_circulate(actor=coordinator, meeting=meeting)
    )
    conflict(
        "minutes_approved",
        lambda: services.minutes_save(actor=coordinator, meeting=meeting, body="書き換え"),
    )


def test_draft_minutes_take_no_amendment(case_world, meeting):
    coordinator = case_world.world.coordinator
    services.minutes_save(actor=coordinator, meeting=meeting, body=MINUTES)
    conflict(
        "minutes_not_approved",
        lambda: services.minutes_amend(actor=coordinator, meeting=meeting, body="x", note="y"),
    )
