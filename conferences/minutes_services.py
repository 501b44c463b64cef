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
from conferences import encryption
from conferences.models import (
    Attendance,
    Case,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesRevision,
)
from config import clock
from config.errors import Conflict, IntegrityAlarm
from network.fiscal import fiscal_year_of
from network.models import ConfidentialityPledge, Tier
from permissions import services as grants
from permissions.rules import within_content_window
from permissions.selectors import standing_invitations


def minutes_are_sealed(meeting: Meeting) -> bool:
    return meeting.tier == Tier.PRACTITIONERS


def _aad(obj) -> bytes:
    return encryption.field_aad(obj._meta.label_lower, "sealed_body", obj.pk)


@sensitive_variables()
def _set_body(obj, minutes: Minutes, text: str) -> list[str]:
    if minutes_are_sealed(minutes.meeting):
        obj.sealed_body = encryption.seal(minutes.data_key, text, aad=_aad(obj))
        obj.body = ""
    else:
        obj.body = text
    return ["body", "sealed_body"]


@sensitive_variables()
def _get_body(obj, minutes: Minutes) -> str:
    if obj.sealed_body is None:
        return obj.body
    try:
        return encryption.unseal(minutes.data_key, obj.sealed_body, aad=_aad(obj))
    except (encryption.DecryptionError, encryption.KeyDestroyedError):
        raise IntegrityAlarm("content_integrity") from None


def _minutes_for_update(meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(
        meeting=meeting,
        defaults={
            "data_key": encryption.data_key_create() if minutes_are_sealed(meeting) else None
        },
    )
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting", "data_key")
        .get(pk=minutes.pk)
    )


@transaction.atomic
def minutes_save(*, actor: User, meeting: Meeting, body: str) -> Minutes:
    """Write the minutes' body (a new revision; the previous text is kept). Approved
    minutes are locked: 409 `minutes_approved` (add an amendment instead)."""
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.HELD):
        raise Conflict("meeting_not_held", _("Minutes are written for a convened or held meeting."))
    minutes = _minutes_for_update(meeting)
    if minutes.status == Minutes.Status.APPROVED:
        raise Conflict("minutes_approved", _("Approved minutes are locked; add an amendment."))
    minutes.revision += 1
    revision = MinutesRevision.objects.create(
        minutes=minutes, revision=minutes.revision, author=actor, at=clock.now()
    )
    revision.save(update_fields=_set_body(revision, minutes, body))
    minutes.save(update_fields=[*_set_body(minutes, minutes, body), "revision", "updated_at"])
    return minutes


@transaction.atomic
def minutes_circulate(*, actor: User, meeting: Meeting) -> Minutes:
    """draft → circulated: the invitees may read them and comment before approval."""
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
    minutes = _existing(meeting)
    if minutes.status == Minutes.Status.APPROVED:
        return minutes
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_by, minutes.approved_at = actor, clock.now()
    minutes.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return minutes


@transaction.atomic
def minutes_amend(*, actor: User, meeting: Meeting, body: str, note: str = "") -> MinutesRevision:
    """An amendment to approved minutes: a new record; the approved text is not touched."""
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
    amendment.save(update_fields=_set_body(amendment, minutes, body))
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


def is_invited(user: User, meeting: Meeting) -> bool:
    """Whether the person holds a standing invitation to the meeting: invited, and still
    active staff of the agency invited for (`permissions.selectors.standing_invitations`)."""
    return standing_invitations().filter(meeting=meeting, person=user).exists()


def may_read_minutes(user: User, meeting: Meeting, *, coordinates: bool) -> bool:
    """Representatives' minutes: whoever sees the meeting. Practitioners' minutes (case
    content): coordinators, and invitees until the meeting's content window ends; both with
    a pledge for the current fiscal year. Platform admins never."""
    if not minutes_are_sealed(meeting):
        return True
    if user.is_superuser:
        return False
    now = clock.now()
    pledged = ConfidentialityPledge.objects.filter(
        person=user, network_id=meeting.network_id, fiscal_year=fiscal_year_of(now)
    ).exists()
    if not pledged:
        return False
    if coordinates:
        return True
    return is_invited(user, meeting) and within_content_window(meeting, now)


@transaction.atomic
def minutes_read(*, reader: User, meeting: Meeting, via: str) -> dict:
    """The minutes with their revisions and amendments, unsealed for a response; a reading
    of sealed minutes is recorded for every case the meeting reviewed."""
    if minutes_are_sealed(meeting):
        # Sealed minutes are case content even before a case is on the agenda (when no
        # access record would be written): the network's second-factor rule applies.
        grants.second_factor_require(person=reader, network=meeting.network)
    minutes = (
        Minutes.objects.select_related("meeting__network", "data_key", "approved_by")
        .filter(meeting=meeting)
        .first()
    )
    if minutes is None:
        return {
            "body": "",
            "status": Minutes.Status.DRAFT,
            "revision": 0,
            "approved_by": None,
            "approved_at": None,
            "revisions": [],
            "amendments": [],
        }
    revisions = list(minutes.revisions.select_related("author"))
    data = {
        "body": _get_body(minutes, minutes),
        "status": minutes.status,
        "revision": minutes.revision,
        "approved_by": minutes.approved_by_id,
        "approved_at": minutes.approved_at,
        "revisions": [
            {
                "revision": r.revision,
                "author": r.author_id,
                "at": r.at,
                "body": _get_body(r, minutes),
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
                "body": _get_body(r, minutes),
            }
            for r in revisions
            if r.is_amendment
        ],
    }
    if minutes_are_sealed(meeting):
        for case in Case.objects.filter(agenda_items__meeting=meeting).distinct():
            grants.access_record_write(person=reader, case=case, fields=["minutes"], via=via)
    return data


# --- comments on circulated minutes ---------------------------------------------------------


def may_comment_on_minutes(user: User, meeting: Meeting, *, coordinates: bool) -> bool:
    """Besides reading the minutes (`may_read_minutes`, checked first): the meeting's
    coordinators and the people invited to it; not whoever else sees the meeting (a
    representative seated after convening, say)."""
    return coordinates or is_invited(user, meeting)


@transaction.atomic
def minutes_comment_add(*, author: User, meeting: Meeting, body: str) -> MinutesComment:
    """A comment on the meeting's minutes while they are circulated: 409
    `minutes_not_circulated` when there are none yet, or they are a draft or approved; 400
    on `body` when it is empty. Sealed, like the minutes' body, when the minutes are case
    content. Who may comment is `may_comment_on_minutes`'s to say, before calling this."""
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
    comment.save(update_fields=_set_body(comment, minutes, body))  # bound to the saved row
    return comment


def minutes_comments(meeting: Meeting):
    """The comments on the meeting's minutes, oldest first, still sealed: a response gets
    them only through `minutes_comments_read`."""
    return (
        MinutesComment.objects.filter(minutes__meeting=meeting)
        .select_related("minutes__meeting", "minutes__data_key")
        .order_by("created_at", "id")
    )


@transaction.atomic
def minutes_comments_read(*, reader: User, meeting: Meeting, comments, via: str) -> list[dict]:
    """`comments` (of this meeting) unsealed for a response, as `{id, body, author,
    created_at}`. When they are case content and at least one is returned, the reading is
    recorded for every case the meeting reviewed, as for the minutes themselves. Call it
    only for a reader `may_read_minutes` allows."""
    if minutes_are_sealed(meeting):
        grants.second_factor_require(person=reader, network=meeting.network)
    rows = [
        {
            "id": comment.pk,
            "body": _get_body(comment, comment.minutes),
            "author": comment.author_id,
            "created_at": comment.created_at,
        }
        for comment in comments
    ]
    if rows and minutes_are_sealed(meeting):
        for case in Case.objects.filter(agenda_items__meeting=meeting).distinct():
            grants.access_record_write(
                person=reader, case=case, fields=["minutes_comments"], via=via
            )
    return rows


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, entries: list[dict]) -> list[Attendance]:
    """Replace a held meeting's attendance. Each entry: `person` (an id), `status`, and
    optionally `substitute_for` (the id of an invitee the person stood in for, who must be
    of the same agency). 409 unless the meeting is held; 400 for a person neither invited
    nor a same-agency substitute.

    Only invitees and the staff of invited agencies are looked up: any other id is "not
    invited", whether an account has it (in another network, say) or nobody does, so the
    answer tells nothing about accounts beyond the meeting."""
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
