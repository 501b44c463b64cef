"""`manage.py keys verify` checks the sealed minutes revisions and comments too (sealed
under their minutes' data key, found through the encrypted-field registry)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conferences.minutes import services as minutes_services
from conferences.models import MinutesComment, MinutesRevision
from tests.conferences.minutes_world import (
    MINUTES,
    convened_representatives_meeting,
    held_case_conference,
)

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("keys", "verify", stdout=out)
    return out.getvalue()


def verify_fails(match: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError, match=match):
        call_command("keys", "verify", stdout=out)
    return out.getvalue()


def values_ok(out: str) -> int:
    return int(out.split("Values: ")[1].split(" ok")[0])


@pytest.fixture
def meeting(api_as, case_world, time_machine):
    """A held case conference with sealed minutes in two revisions, circulated, and a
    comment on them."""
    meeting = held_case_conference(api_as, case_world, time_machine)
    coordinator = case_world.world.coordinator
    minutes_services.minutes_save(actor=coordinator, meeting=meeting, body=MINUTES)
    minutes_services.minutes_save(actor=coordinator, meeting=meeting, body=MINUTES + "追記。")
    minutes_services.minutes_circulate(actor=coordinator, meeting=meeting)
    minutes_services.minutes_comment_add(
        author=case_world.world.member, meeting=meeting, body="記載をお願いします。"
    )
    assert MinutesRevision.objects.filter(sealed_body__isnull=False).count() == 2
    assert MinutesComment.objects.filter(sealed_body__isnull=False).count() == 1
    return meeting


def test_verify_counts_sealed_revisions_and_comments(case_world, meeting):
    before = values_ok(verify())
    # Circulated minutes still take a revision (until approved).
    minutes_services.minutes_save(
        actor=case_world.world.coordinator, meeting=meeting, body="第三版"
    )
    minutes_services.minutes_comment_add(
        author=case_world.peer, meeting=meeting, body="了解しました。"
    )
    out = verify()
    assert values_ok(out) == before + 2  # the new revision and the new comment
    assert "Everything decrypts." in out


def test_minutes_in_clear_are_not_counted(api_as, case_world, meeting, time_machine):
    before = values_ok(verify())
    reps = convened_representatives_meeting(api_as, case_world, time_machine)
    minutes_services.minutes_save(
        actor=case_world.world.coordinator, meeting=reps, body="年間計画を承認した。"
    )
    assert MinutesRevision.objects.filter(minutes__meeting=reps).get().sealed_body is None
    assert values_ok(verify()) == before


def test_verify_fails_when_two_revisions_swap_their_sealed_bodies(meeting):
    first, second = MinutesRevision.objects.filter(minutes__meeting=meeting).order_by("revision")
    MinutesRevision.objects.filter(pk=first.pk).update(sealed_body=second.sealed_body)
    MinutesRevision.objects.filter(pk=second.pk).update(sealed_body=first.sealed_body)
    out = verify_fails(match="0 data keys and 2 values do not decrypt")
    assert f"FAILED conferences.minutesrevision {first.pk} sealed_body" in out
    assert f"FAILED conferences.minutesrevision {second.pk} sealed_body" in out


def test_verify_fails_when_a_revision_takes_the_minutes_sealed_body(meeting):
    revision = MinutesRevision.objects.filter(minutes__meeting=meeting).latest("revision")
    # The same text under the same key, but bound to another record.
    MinutesRevision.objects.filter(pk=revision.pk).update(sealed_body=revision.minutes.sealed_body)
    out = verify_fails(match="0 data keys and 1 values do not decrypt")
    assert f"FAILED conferences.minutesrevision {revision.pk} sealed_body" in out


def test_verify_fails_when_a_comments_sealed_body_is_altered(meeting):
    comment = MinutesComment.objects.get()
    altered = bytearray(comment.sealed_body)
    altered[-1] ^= 0x01
    MinutesComment.objects.filter(pk=comment.pk).update(sealed_body=bytes(altered))
    out = verify_fails(match="0 data keys and 1 values do not decrypt")
    assert f"FAILED conferences.minutescomment {comment.pk} sealed_body" in out
    assert "Everything decrypts." not in out
