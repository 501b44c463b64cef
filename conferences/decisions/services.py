"""Writes of the decisions (決定事項) of representatives' meetings.

A decision is recorded at or after the meeting that took it: only a representatives'
meeting has decisions, and only once it is convened, held or closed (409 with a rule code
otherwise). Its owner is an agency sitting in the meeting's network (400 on `owner_agency`
otherwise). Progress on a decision (status, due date, wording) is tracked afterwards,
whatever has become of the meeting, and every change is kept as a `DecisionChange`.
Only whoever `may_record_decisions` writes them (403 `coordinator_only`, nothing written),
asked by both services.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from conferences.models import Decision, DecisionChange, Meeting, MeetingKind, MeetingStatus
from config import clock
from config.errors import Conflict, Forbidden
from network.models import Membership
from permissions.rules import may_record_decisions

# A decision is taken at the meeting: from convening (the meeting under way) onwards.
RECORDABLE_STATUSES = (MeetingStatus.CONVENED, MeetingStatus.HELD, MeetingStatus.CLOSED)
DECISION_FIELDS = ("text", "due_on", "status")


def _require_recording(actor: User, meeting: Meeting) -> None:
    """403 `coordinator_only` unless the actor records the meeting's decisions."""
    if not may_record_decisions(actor, meeting):
        raise Forbidden("coordinator_only")


def _validate(decision: Decision, *, check_owner: bool) -> None:
    """Field errors (400): an owner agency without a membership in the meeting's network
    (checked when the owner is set: a membership ending later does not freeze the decision),
    empty text, an unknown status."""
    errors = {}
    if check_owner and not (
        Membership.objects.filter(
            network_id=decision.meeting.network_id, agency_id=decision.owner_agency_id
        ).exists()
    ):
        errors["owner_agency"] = [_("The owner must be an agency of the meeting's network.")]
    if not decision.text.strip():
        errors["text"] = [_("A decision needs its text.")]
    if decision.status not in Decision.Status.values:
        errors["status"] = [_("Unknown status.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decision_create(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    owner_agency: Agency,
    due_on: date | None = None,
    status: str = Decision.Status.OPEN,
) -> Decision:
    """Record a decision of a representatives' meeting.

    Raises `Conflict` `not_a_representatives_meeting` for any other kind of meeting and
    `meeting_not_held` while the meeting is a draft or once it is cancelled; `ValidationError`
    (400) for an owner agency outside the network; 403 `coordinator_only` unless the actor
    records the meeting's decisions (`may_record_decisions`).
    """
    _require_recording(actor, meeting)
    # Locked so that a meeting cancelled meanwhile cannot gain a decision.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.kind != MeetingKind.REPRESENTATIVES_MEETING:
        raise Conflict(
            "not_a_representatives_meeting",
            _("Only a representatives' meeting records decisions."),
        )
    if meeting.status not in RECORDABLE_STATUSES:
        raise Conflict(
            "meeting_not_held",
            _("This meeting is %(status)s; decisions are recorded at or after the meeting.")
            % {"status": meeting.get_status_display()},
        )
    decision = Decision(
        meeting=meeting,
        text=text,
        owner_agency=owner_agency,
        due_on=due_on,
        status=status,
        created_by=actor,
    )
    _validate(decision, check_owner=True)
    decision.save()
    return decision


def _as_json(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def decision_update(*, actor: User, decision: Decision, **fields) -> Decision:
    """Change a decision's text, due date or status (the owner agency stays), recording a
    `DecisionChange` (who, when, each changed field's `[from, to]`). Fields other than those
    are a programming error (TypeError); a repeated change is a no-op and records nothing;
    `ValidationError` (400) for empty text or an unknown status, recording nothing;
    `Forbidden` `coordinator_only` for an actor who may not record the meeting's decisions."""
    unknown = sorted(set(fields) - set(DECISION_FIELDS))
    if unknown:
        raise TypeError(f"decision_update() got unexpected fields {unknown}")
    _require_recording(actor, decision.meeting)
    decision = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    changed = [name for name, value in fields.items() if getattr(decision, name) != value]
    changes = {
        name: [_as_json(getattr(decision, name)), _as_json(fields[name])] for name in changed
    }
    for name in changed:
        setattr(decision, name, fields[name])
    _validate(decision, check_owner=False)
    if changed:
        decision.save(update_fields=changed)
        DecisionChange.objects.create(
            decision=decision, actor=actor, at=clock.now(), changes=changes
        )
    return decision
