"""Minutes (議事録), comments on them, and attendance of a meeting.

Minutes go draft → circulated → approved; approved minutes never change (an amendment is a
new record). Every save keeps the previous text as a revision (who, when). While circulated,
the invitees and coordinators comment on them; comments share the minutes' fate (sealed,
read and audited alike). The minutes of a
practitioners' meeting may discuss cases, so they are case content: sealed under the
minutes' own data key, readable only by the meeting's coordinators and, within the content
window, its invitees, with a current pledge, and every reading is recorded in the access
chain of each case the meeting reviewed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from agencies.models import User
from conferences.minutes.selectors import minutes_comments
from conferences.models import (
    Attendance,
    Case,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesRevision,
)
from conferences.privacy import encryption, sealing
from config import clock
from config.errors import Conflict, Forbidden
from permissions.rules import (
    may_comment_on_minutes,
    may_read_minutes,
    may_record_attendance,
    may_write_minutes,
    minutes_are_case_content,
)

SEALED = ["sealed_body"]


def _refuse_unless(allowed: bool, code: str) -> None:
    if not allowed:
        raise Forbidden(code)


def _require_writer(actor: User, meeting: Meeting) -> None:
    _refuse_unless(may_write_minutes(actor, meeting), "coordinator_only")


def _require_reader(reader: User, meeting: Meeting) -> None:
    _refuse_unless(may_read_minutes(reader, meeting), "minutes_not_readable")


@sensitive_variables()
def _store_body(obj, minutes: Minutes, text: str, keys=None) -> list[str]:
    """Put `text` into the saved record `obj` (the minutes, a revision or a comment): sealed
    when the minutes are case content, in clear in `body` otherwise. Returns the fields to
    save. `keys`: one cache for several records of the same minutes (one unwrap)."""
    if minutes_are_case_content(minutes.meeting):
        obj.body = ""
        return ["body", *sealing.seal(obj, {"sealed_body": text}, keys=keys)]
    obj.body = text
    return ["body", "sealed_body"]


@sensitive_variables()
def _body_text(obj, keys: encryption.DataKeyCache) -> str:
    """The text `_store_body` kept: unsealed, or the clear `body` of representatives'."""
    if obj.sealed_body is None:
        return obj.body
    return sealing.unseal(obj, SEALED, keys=keys)["sealed_body"]


def _reviewed_cases(meeting: Meeting):
    """The cases whose access chain records a reading of the meeting's (sealed) minutes."""
    if not minutes_are_case_content(meeting):
        return []
    return Case.objects.filter(agenda_items__meeting=meeting).distinct()


def _case_content_network(meeting: Meeting):
    """Sealed minutes are case content even before a case is on the agenda (when no access
    record would be written): the network's second-factor rule applies."""
    return meeting.network if minutes_are_case_content(meeting) else None


def _minutes_for_update(meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(
        meeting=meeting,
        defaults={
            "data_key": encryption.data_key_create() if minutes_are_case_content(meeting) else None
        },
    )
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting", "data_key")
        .get(pk=minutes.pk)
    )


@transaction.atomic
def minutes_save(*, actor: User, meeting: Meeting, body: str) -> Minutes:
    """Write the minutes' body (a new revision; the previous text is kept), for a coordinator
    (403 `coordinator_only` otherwise). Approved minutes are locked: 409 `minutes_approved`
    (add an amendment instead)."""
    _require_writer(actor, meeting)
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.HELD):
        raise Conflict("meeting_not_held", _("Minutes are written for a convened or held meeting."))
    minutes = _minutes_for_update(meeting)
    if minutes.status == Minutes.Status.APPROVED:
        raise Conflict("minutes_approved", _("Approved minutes are locked; add an amendment."))
    minutes.revision += 1
    revision = MinutesRevision.objects.create(
        minutes=minutes, revision=minutes.revision, author=actor, at=clock.now()
    )
    keys = encryption.DataKeyCache()  # the revision and the minutes: one unwrap
    revision.save(update_fields=_store_body(revision, minutes, body, keys))
    minutes.save(
        update_fields=[*_store_body(minutes, minutes, body, keys), "revision", "updated_at"]
    )
    return minutes


@transaction.atomic
def minutes_circulate(*, actor: User, meeting: Meeting) -> Minutes:
    """draft → circulated, by a coordinator: the invitees may read them and comment before
    approval."""
    _require_writer(actor, meeting)
    minutes = _existing(meeting)
    if minutes.status == Minutes.Status.CIRCULATED:
        return minutes
    if minutes.status != Minutes.Status.DRAFT:
        raise Conflict("minutes_approved", _("Approved minutes are locked; add an amendment."))
    minutes.status = Minutes.Status.CIRCULATED
    minutes.save(update_fields=["status", "updated_at"])
    return minutes


@transaction.atomic
def minutes_approve(*, actor: User, meeting: Meeting) -> Minutes:
    """draft or circulated → approved, by a coordinator; from then on locked."""
    _require_writer(actor, meeting)
    minutes = _existing(meeting)
    if minutes.status == Minutes.Status.APPROVED:
        return minutes
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_by, minutes.approved_at = actor, clock.now()
    minutes.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return minutes


@transaction.atomic
def minutes_amend(*, actor: User, meeting: Meeting, body: str, note: str = "") -> MinutesRevision:
    """An amendment to approved minutes, by a coordinator: a new record; the approved text
    is not touched."""
    _require_writer(actor, meeting)
    minutes = _existing(meeting)
    if minutes.status != Minutes.Status.APPROVED:
        raise Conflict("minutes_not_approved", _("Only approved minutes take amendments."))
    if not note.strip():
        raise ValidationError({"note": [_("Say what the amendment corrects.")]})
    minutes.revision += 1
    minutes.save(update_fields=["revision", "updated_at"])
    amendment = MinutesRevision.objects.create(
        minutes=minutes,
        revision=minutes.revision,
        is_amendment=True,
        note=note,
        author=actor,
        at=clock.now(),
    )
    amendment.save(update_fields=_store_body(amendment, minutes, body))
    return amendment


def _existing(meeting: Meeting) -> Minutes:
    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting", "data_key")
        .filter(meeting=meeting)
        .first()
    )
    if minutes is None:
        raise Conflict("no_minutes", _("No minutes have been written yet."))
    return minutes


# --- reading the minutes ----------------------------------------------------------------------


def _no_minutes() -> dict:
    return {
        "body": "",
        "status": Minutes.Status.DRAFT,
        "revision": 0,
        "approved_by": None,
        "approved_at": None,
        "revisions": [],
        "amendments": [],
    }


def minutes_read(*, reader: User, meeting: Meeting, via: str) -> dict:
    """The minutes with their revisions and amendments, unsealed for a response, for a
    reader `may_read_minutes` allows (403 `minutes_not_readable` otherwise); a reading of
    sealed minutes is recorded for every case the meeting reviewed."""
    _require_reader(reader, meeting)

    def read(keys) -> dict | None:
        minutes = (
            Minutes.objects.select_related("meeting__network", "data_key", "approved_by")
            .filter(meeting=meeting)
            .first()
        )
        if minutes is None:
            return None  # nothing read: nothing recorded
        revisions = list(minutes.revisions.select_related("author"))
        return {
            "body": _body_text(minutes, keys),
            "status": minutes.status,
            "revision": minutes.revision,
            "approved_by": minutes.approved_by_id,
            "approved_at": minutes.approved_at,
            "revisions": [
                {
                    "revision": r.revision,
                    "author": r.author_id,
                    "at": r.at,
                    "body": _body_text(r, keys),
                }
                for r in revisions
                if not r.is_amendment
            ],
            "amendments": [
                {
                    "revision": r.revision,
                    "author": r.author_id,
                    "at": r.at,
                    "note": r.note,
                    "body": _body_text(r, keys),
                }
                for r in revisions
                if r.is_amendment
            ],
        }

    data = sealing.read_audited(
        reader=reader,
        cases=_reviewed_cases(meeting),
        fields=["minutes"],
        via=via,
        read=read,
        network=_case_content_network(meeting),
        purged_check=False,  # the minutes' own data key, not the cases'
    )
    return data or _no_minutes()


@transaction.atomic
def minutes_save_and_read(*, actor: User, meeting: Meeting, body: str, via: str) -> dict:
    """`minutes_save`, then `minutes_read` for the response, in one transaction: a reading
    refused (the second factor, say) leaves nothing written."""
    minutes_save(actor=actor, meeting=meeting, body=body)
    return minutes_read(reader=actor, meeting=meeting, via=via)


@transaction.atomic
def minutes_circulate_and_read(*, actor: User, meeting: Meeting, via: str) -> dict:
    """`minutes_circulate`, then `minutes_read`, in one transaction."""
    minutes_circulate(actor=actor, meeting=meeting)
    return minutes_read(reader=actor, meeting=meeting, via=via)


@transaction.atomic
def minutes_approve_and_read(*, actor: User, meeting: Meeting, via: str) -> dict:
    """`minutes_approve`, then `minutes_read`, in one transaction."""
    minutes_approve(actor=actor, meeting=meeting)
    return minutes_read(reader=actor, meeting=meeting, via=via)


@transaction.atomic
def minutes_amend_and_read(
    *, actor: User, meeting: Meeting, body: str, note: str = "", via: str
) -> dict:
    """`minutes_amend`, then `minutes_read`, in one transaction."""
    minutes_amend(actor=actor, meeting=meeting, body=body, note=note)
    return minutes_read(reader=actor, meeting=meeting, via=via)


# --- comments on circulated minutes ---------------------------------------------------------


@transaction.atomic
def minutes_comment_add(*, author: User, meeting: Meeting, body: str) -> MinutesComment:
    """A comment on the meeting's minutes while they are circulated, by whoever may read
    them (403 `minutes_not_readable` otherwise) and comment on them
    (`may_comment_on_minutes`; 403 `not_invited` otherwise). 409 `minutes_not_circulated`
    when there are none yet, or they are a draft or approved; 400 on `body` when it is
    empty. Sealed, like the minutes' body, when the minutes are case content."""
    _require_reader(author, meeting)
    _refuse_unless(may_comment_on_minutes(author, meeting), "not_invited")
    # The minutes' row lock: approval (which takes it too) cannot slip in between the
    # check and the comment.
    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting", "data_key")
        .filter(meeting=meeting)
        .first()
    )
    if minutes is None or minutes.status != Minutes.Status.CIRCULATED:
        raise Conflict(
            "minutes_not_circulated", _("Comments are taken while the minutes are circulated.")
        )
    if not body.strip():
        raise ValidationError({"body": [_("A comment needs some text.")]})
    comment = MinutesComment.objects.create(minutes=minutes, author=author, created_at=clock.now())
    comment.save(update_fields=_store_body(comment, minutes, body))  # bound to the saved row
    return comment


def _comments_unsealed(*, reader: User, meeting: Meeting, comments, via: str) -> list[dict]:
    def read(keys) -> list[dict]:
        return [
            {
                "id": comment.pk,
                "body": _body_text(comment, keys),
                "author": comment.author_id,
                "created_at": comment.created_at,
            }
            for comment in comments
        ]

    return sealing.read_audited(
        reader=reader,
        cases=_reviewed_cases(meeting),
        fields=["minutes_comments"],
        via=via,
        read=read,
        network=_case_content_network(meeting),
        purged_check=False,
    )


def minutes_comments_read(*, reader: User, meeting: Meeting, via: str, page=None) -> list[dict]:
    """The comments on the meeting's minutes (`minutes_comments`; `page`, given, picks the
    ones wanted from that queryset: a paginator's `paginate_queryset`) unsealed for a
    response, as `{id, body, author, created_at}`, for a reader `may_read_minutes` allows
    (403 `minutes_not_readable` otherwise). When they are case content and at least one is
    returned, the reading is recorded for every case the meeting reviewed, as for the
    minutes themselves."""
    _require_reader(reader, meeting)
    comments = minutes_comments(meeting)
    if page is not None:
        comments = page(comments)
    return _comments_unsealed(reader=reader, meeting=meeting, comments=comments, via=via)


@transaction.atomic
def minutes_comment_add_and_read(*, author: User, meeting: Meeting, body: str, via: str) -> dict:
    """`minutes_comment_add`, then the comment as its author reads it back (recorded as a
    reading), in one transaction: a reading refused leaves no comment."""
    comment = minutes_comment_add(author=author, meeting=meeting, body=body)
    [row] = _comments_unsealed(reader=author, meeting=meeting, comments=[comment], via=via)
    return row


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, entries: list[dict]) -> list[Attendance]:
    """Replace a held meeting's attendance, for a coordinator (403 `coordinator_only`
    otherwise). Each entry: `person` (an id), `status`, and
    optionally `substitute_for` (the id of an invitee the person stood in for, who must be
    of the same agency). 409 unless the meeting is held; 400 for a person neither invited
    nor a same-agency substitute.

    Only invitees and the staff of invited agencies are looked up: any other id is "not
    invited", whether an account has it (in another network, say) or nobody does, so the
    answer tells nothing about accounts beyond the meeting."""
    _refuse_unless(may_record_attendance(actor, meeting), "coordinator_only")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.HELD:
        raise Conflict("meeting_not_held", _("Attendance is recorded once the meeting is held."))
    invited = {i.person_id: i.agency_id for i in meeting.invitations.all()}
    people = User.objects.filter(pk__in={entry["person"] for entry in entries}).filter(
        Q(pk__in=invited) | Q(agency_id__in=set(invited.values()))
    )
    known = {person.pk: person for person in people}
    errors, rows = [], []
    for index, entry in enumerate(entries):
        person, substitute_for = known.get(entry["person"]), entry.get("substitute_for")
        if person is None:
            errors.append(f"{index}: " + _("This person was not invited."))
            continue
        if substitute_for is not None:
            if substitute_for not in invited:
                errors.append(f"{index}: " + _("The person stood in for was not invited."))
                continue
            if person.agency_id != invited[substitute_for]:
                errors.append(f"{index}: " + _("A substitute must be of the same agency."))
                continue
        elif person.pk not in invited:
            errors.append(f"{index}: " + _("This person was not invited."))
            continue
        rows.append(
            Attendance(
                meeting=meeting,
                person=person,
                agency_id=person.agency_id,
                status=entry["status"],
                substitute_for_id=substitute_for,
            )
        )
    if errors:
        raise ValidationError({"attendance": errors})
    if len({row.person_id for row in rows}) != len(rows):
        raise ValidationError({"attendance": [_("A person appears twice.")]})
    meeting.attendance.all().delete()
    return Attendance.objects.bulk_create(rows)
