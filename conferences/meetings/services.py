"""Every write and state transition of a meeting: convening and its invitations, the agenda
(which schedules cases), answers to invitations.

Each acts for a person and first asks the rules whether they may (`may_run_meetings`,
`may_answer_invitation`: 403 with the API's code otherwise, nothing written). Each
transition locks the meeting, checks its state (409 with a rule code otherwise),
writes with `update_fields` and records a `MeetingTransition`, in one transaction. Access to
the cases on a practitioners' agenda follows these events: invitees get a case's facts for
good and its content from convening (or from the moment the case is added to a convened
meeting) until the meeting's end plus the network's content window.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from conferences.cases import services as case_services
from conferences.meetings import notifications
from conferences.models import (
    KIND_TIER,
    NARRATIVE_FIELDS,
    AgendaItem,
    Case,
    CaseStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingTransition,
)
from conferences.privacy import sealing
from config import clock
from config.errors import Conflict, Forbidden
from network.fiscal import fiscal_year_of
from network.models import Membership, Network, Tier
from permissions import services as grants
from permissions.rules import (
    CASE_CONTENT_OTP_REQUIRED,
    CASE_CONTENT_SHOWN,
    agenda_content_answers,
    content_window_end,
    may_answer_invitation,
    may_run_meetings,
    within_content_window,
)
from permissions.selectors import standing_invitations

MEETING_FIELDS = ("title", "starts_at", "ends_at", "location", "online_url")
# What may still change once invitations are out: moving and relocating.
CONVENED_FIELDS = ("starts_at", "ends_at", "location", "online_url")
OPEN_STATUSES = (MeetingStatus.DRAFT, MeetingStatus.CONVENED)
# Invitations are answered until the meeting takes place (or is called off).
ANSWERABLE_STATUSES = (MeetingStatus.CONVENED,)
SINGLE_LINE_FIELDS = ("title", "location")


def _record(meeting: Meeting, *, actor: User, to: str, from_status: str = "", reason: str = ""):
    MeetingTransition.objects.create(
        meeting=meeting,
        from_status=from_status,
        to_status=to,
        actor=actor,
        reason=reason,
        at=clock.now(),
    )


def _require_running(actor: User, network: Network) -> None:
    """403 `coordinator_only` unless the actor runs the network's meetings."""
    if not may_run_meetings(actor, network):
        raise Forbidden("coordinator_only")


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("network").get(pk=meeting.pk)


def _require_status(meeting: Meeting, allowed: tuple[str, ...], code: str) -> None:
    if meeting.status not in allowed:
        raise Conflict(
            code,
            _("This meeting is %(status)s; that is not possible now.")
            % {"status": meeting.get_status_display()},
        )


def _validate(meeting: Meeting, invited_agencies: list[Agency] | None) -> None:
    """Field errors (400): a kind outside its tier, an end not after the start, named
    agencies on anything but a case support meeting, or a case support meeting naming none
    (`invited_agencies=None` on an update means "unchanged")."""
    errors = {}
    if meeting.kind in KIND_TIER and KIND_TIER[meeting.kind] != meeting.tier:
        errors["kind"] = [_("This kind of meeting does not belong to that tier.")]
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    support = meeting.kind == MeetingKind.CASE_SUPPORT_MEETING
    if invited_agencies and not support:
        errors["invited_agencies"] = [_("Only a case support meeting names its agencies.")]
    if support and invited_agencies is not None and not invited_agencies:
        errors["invited_agencies"] = [_("Name the agencies this meeting is for.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    network: Network,
    kind: str,
    tier: str | None = None,
    invited_agencies: list[Agency] | None = None,
    **fields,
) -> Meeting:
    """A draft meeting. The tier follows from the kind; a tier given that does not fit the
    kind is a 400 (a case conference in the representatives' tier, say)."""
    _require_running(actor, network)
    meeting = Meeting(
        network=network,
        kind=kind,
        tier=tier or KIND_TIER.get(kind, ""),
        created_by=actor,
        **{k: v for k, v in fields.items() if k in MEETING_FIELDS},
    )
    _validate(meeting, invited_agencies or [])
    meeting.fiscal_year = fiscal_year_of(meeting.starts_at)
    meeting.full_clean()
    meeting.save()
    if invited_agencies:
        meeting.invited_agencies.set(invited_agencies)
    _record(meeting, actor=actor, to=MeetingStatus.DRAFT)
    return meeting


@transaction.atomic
def meeting_update(
    *, actor: User, meeting: Meeting, invited_agencies: list[Agency] | None = None, **fields
) -> Meeting:
    """Change a draft freely; a convened meeting may only be moved or relocated, which bumps
    its revision (calendars update). 409 otherwise. On a convened meeting any update, even
    one that changes nothing, invites the people seated since convening: they are mailed
    the invitation, and a move or relocation is mailed to everyone invited before."""
    _require_running(actor, meeting.network)
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, "meeting_not_editable")
    allowed = MEETING_FIELDS if meeting.status == MeetingStatus.DRAFT else CONVENED_FIELDS
    refused = sorted(set(fields) - set(allowed))
    if refused or (invited_agencies is not None and meeting.status != MeetingStatus.DRAFT):
        raise Conflict(
            "meeting_convened",
            _("A convened meeting may only be moved or relocated."),
        )
    changed = [k for k, v in fields.items() if getattr(meeting, k) != v]
    for name in changed:
        setattr(meeting, name, fields[name])
    _validate(meeting, invited_agencies)
    meeting.fiscal_year = fiscal_year_of(meeting.starts_at)
    # Texts not being changed are not judged again: a title written before titles had to be
    # single-line (and locked once convened) must not stop the meeting from being moved.
    meeting.full_clean(exclude=[name for name in SINGLE_LINE_FIELDS if name not in changed])
    if changed:
        meeting.revision += 1
        meeting.save(update_fields=[*changed, "fiscal_year", "revision", "updated_at"])
    if invited_agencies is not None:
        meeting.invited_agencies.set(invited_agencies)
    if meeting.status == MeetingStatus.CONVENED:
        newcomers = [invitation.person_id for invitation in _invite(meeting)]
        _grant_agenda_cases(meeting)
        # Those invited before hear of the change; those invited now get the invitation
        # itself (showing the meeting as it now is), not both.
        if changed:
            notifications.meeting_changed(meeting, excluding=newcomers)
        if newcomers:
            notifications.meeting_convened(meeting, people=newcomers)
    return meeting


def _invitees(meeting: Meeting):
    """(person, agency) of every designated person of the tier's member agencies whose term
    covers the meeting's date, or of the named agencies for a case support meeting."""
    day = timezone.localdate(meeting.starts_at)
    memberships = Membership.objects.current(day).filter(network=meeting.network, tier=meeting.tier)
    if meeting.kind == MeetingKind.CASE_SUPPORT_MEETING:
        memberships = memberships.filter(agency__in=meeting.invited_agencies.all())
    through = Membership.designated_people.through.objects.filter(
        membership__in=memberships,
        # Only those an invitation would stand for (see `standing_invitations`).
        user__is_active=True,
        user__agency=F("membership__agency"),
    )
    return through.values_list("user_id", "membership__agency_id").distinct()


def _invite(meeting: Meeting) -> list[Invitation]:
    """Invite whoever should be and is not yet. Returns the new invitations (their
    `person_id` and `agency_id` set; `pk` may be unset, as `ignore_conflicts` leaves it).
    Someone whose earlier invitation no longer stands (they left the agency it was for) and
    who is now designated for another agency of the tier is invited again, for that agency:
    their invitation row is renewed (one per person and meeting), its answer pending again.
    Callers hold the meeting's row lock, so no one else invites the same people meanwhile."""
    earlier = {invitation.person_id: invitation for invitation in meeting.invitations.all()}
    standing = set(
        standing_invitations().filter(meeting=meeting).values_list("person_id", flat=True)
    )
    new, renewed = [], []
    for person, agency in _invitees(meeting):
        if person in standing:
            continue
        invitation = earlier.get(person)
        if invitation is None:
            new.append(Invitation(meeting=meeting, person_id=person, agency_id=agency))
            continue
        invitation.agency_id, invitation.lapsed_at = agency, None
        invitation.response, invitation.responded_at = Invitation.Response.PENDING, None
        invitation.save(update_fields=["agency", "lapsed_at", "response", "responded_at"])
        renewed.append(invitation)
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    return [*new, *renewed]


def _invited_people(meeting: Meeting):
    """Whom the meeting's invitations give its agenda's cases: standing invitations only (an
    invitee who has left the agency invited for is given nothing more)."""
    return User.objects.filter(
        pk__in=standing_invitations().filter(meeting=meeting).values("person_id")
    )


def _source(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}"


def _grant_cases(meeting: Meeting, cases, people) -> None:
    """Facts for good, content from now until the window after the meeting ends."""
    if meeting.tier != Tier.PRACTITIONERS:
        return  # representatives never see case content, nor are cases on their agendas
    grants.case_grants_bulk(
        cases=list(cases),
        users=list(people),
        source=_source(meeting),
        valid_from=clock.now(),
        valid_until=content_window_end(meeting),
    )


def _grant_agenda_cases(meeting: Meeting) -> None:
    cases = Case.objects.filter(agenda_items__meeting=meeting)
    _grant_cases(meeting, cases, _invited_people(meeting))


def _revoke_case(meeting: Meeting, case: Case, *, facts_too: bool) -> None:
    grants.case_user_revoke(case=case, source=_source(meeting))
    if facts_too:
        grants.case_user_revoke(case=case, source=f"{_source(meeting)}:facts")


@transaction.atomic
def meeting_convene(*, actor: User, meeting: Meeting) -> Meeting:
    """Send the invitations: draft → convened; invitees get the agenda's cases."""
    _require_running(actor, meeting.network)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CONVENED:
        return meeting
    _require_status(meeting, (MeetingStatus.DRAFT,), "meeting_not_draft")
    previous, meeting.status = meeting.status, MeetingStatus.CONVENED
    meeting.revision += 1
    meeting.save(update_fields=["status", "revision", "updated_at"])
    _record(meeting, actor=actor, from_status=previous, to=meeting.status)
    _invite(meeting)
    _grant_agenda_cases(meeting)
    notifications.meeting_convened(meeting)
    return meeting


@transaction.atomic
def meeting_hold(*, actor: User, meeting: Meeting) -> Meeting:
    """The meeting took place: convened → held (attendance may be recorded). 409
    `meeting_not_started` before its start time: a meeting cannot have taken place yet."""
    _require_running(actor, meeting.network)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.HELD:
        return meeting
    _require_status(meeting, (MeetingStatus.CONVENED,), "meeting_not_convened")
    if clock.now() < meeting.starts_at:
        raise Conflict(
            "meeting_not_started",
            _("This meeting has not started yet; it is marked held once it has begun."),
        )
    previous, meeting.status = meeting.status, MeetingStatus.HELD
    meeting.save(update_fields=["status", "updated_at"])
    _record(meeting, actor=actor, from_status=previous, to=meeting.status)
    return meeting


@transaction.atomic
def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """Close a held meeting once its minutes are approved: held → closed (409 otherwise)."""
    _require_running(actor, meeting.network)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CLOSED:
        return meeting
    _require_status(meeting, (MeetingStatus.HELD,), "meeting_not_held")
    minutes = getattr(meeting, "minutes", None)
    if minutes is None or minutes.status != "approved":
        raise Conflict("minutes_not_approved", _("Approve the minutes before closing."))
    previous, meeting.status = meeting.status, MeetingStatus.CLOSED
    meeting.save(update_fields=["status", "updated_at"])
    _record(meeting, actor=actor, from_status=previous, to=meeting.status)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str = "") -> Meeting:
    """Call off a draft or convened meeting: its cases return to where they were (unless
    another open meeting holds them) and the access it gave is withdrawn."""
    _require_running(actor, meeting.network)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    _require_status(meeting, OPEN_STATUSES, "meeting_not_open")
    for item in meeting.agenda_items.filter(case__isnull=False).select_related("case"):
        _unschedule(item, actor=actor)
    previous, meeting.status = meeting.status, MeetingStatus.CANCELLED
    meeting.revision += 1
    meeting.save(update_fields=["status", "revision", "updated_at"])
    _record(meeting, actor=actor, from_status=previous, to=meeting.status, reason=reason)
    if previous == MeetingStatus.CONVENED:
        notifications.meeting_cancelled(meeting)
    return meeting


# --- the agenda ---------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    kind: str,
    title: str = "",
    case: Case | None = None,
) -> AgendaItem:
    """Add a topic or a case review at the end of the agenda. A case review needs a
    practitioners' meeting and a submitted (or, for a follow-up, monitoring) case of the
    same network; adding it schedules the case, and on a convened meeting the invitees get
    it at once."""
    _require_running(actor, meeting.network)
    meeting = _locked(meeting)
    _require_status(meeting, OPEN_STATUSES, "meeting_not_open")
    if kind == AgendaItem.Kind.CASE_REVIEW:
        if case is None:
            raise ValidationError({"case": [_("A case review needs a case.")]})
        if meeting.tier != Tier.PRACTITIONERS:
            raise ValidationError(
                {"case": [_("Cases are reviewed in the practitioners' tier only.")]}
            )
        if case.network_id != meeting.network_id:
            raise ValidationError({"case": [_("The case belongs to another network.")]})
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case_services.may_start(case, "schedule"):
            raise Conflict(
                "case_not_schedulable",
                _("Only a submitted case, or one in monitoring, can be put on an agenda."),
            )
        if meeting.agenda_items.filter(case=case).exists():
            raise Conflict("case_already_on_agenda", _("This case is already on the agenda."))
    elif not title.strip():
        raise ValidationError({"title": [_("A topic needs a title.")]})
    else:
        case = None
    last = meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=last + 1,
        kind=kind,
        title=title,
        case=case,
        case_status_before=case.status if case else "",
    )
    if case is not None:
        case_services.case_transition(
            case=case, actor=actor, to=CaseStatus.SCHEDULED, reason=_source(meeting)
        )
        if meeting.status == MeetingStatus.CONVENED:
            _grant_cases(meeting, [case], _invited_people(meeting))
    return item


@dataclass(frozen=True)
class AgendaReading:
    """What a page showing a meeting gives of the cases on its agenda (`agenda_cases_read`):
    `cases`, `{case id: {"content": narratives or None, "content_refusal": None or
    "otp_required"}}` for each case review whose case the reader sees, while the window is
    open; `window_end`, when the meeting's content window closes (None for a
    representatives' meeting, which opens none); `window_open`, whether it is still open;
    `content_shown`, whether any case's content was read (and recorded) for the reader."""

    cases: dict[int, dict]
    window_end: datetime | None
    window_open: bool
    content_shown: bool


def agenda_cases_read(*, reader: User, meeting: Meeting, items, via: str) -> AgendaReading:
    """The agenda's cases for a page: each case review among `items` (from
    `selectors.agenda_for`, which says whether the reader sees each case) whose case the
    reader sees, while the meeting's content window is open (`within_content_window`), with
    what `case_detail_read` would give of it (`rules.agenda_content_answers`); the content
    of every case the reader may read now unsealed and recorded in ONE audited reading
    (`sealing.read_audited`: one access record per case, one transaction). After the
    window, and for a representatives' meeting, nothing is read and nothing recorded."""
    if meeting.tier != Tier.PRACTITIONERS:
        return AgendaReading(cases={}, window_end=None, window_open=False, content_shown=False)
    window_end = content_window_end(meeting)
    if not within_content_window(meeting):
        return AgendaReading(
            cases={}, window_end=window_end, window_open=False, content_shown=False
        )
    cases = [item.case for item in items if item.case_id and item.case_visible]
    answers = agenda_content_answers(reader, meeting, cases)
    shown = [case for case in cases if answers[case.pk] == CASE_CONTENT_SHOWN]
    contents = {}
    if shown:
        contents = sealing.read_audited(
            reader=reader,
            cases=shown,
            fields=list(NARRATIVE_FIELDS),
            via=via,
            read=lambda keys: {
                case.pk: sealing.unseal(case, NARRATIVE_FIELDS, keys=keys) for case in shown
            },
        )
    readings = {
        case.pk: {
            "content": contents.get(case.pk),
            "content_refusal": answers[case.pk]
            if answers[case.pk] == CASE_CONTENT_OTP_REQUIRED
            else None,
        }
        for case in cases
    }
    return AgendaReading(
        cases=readings, window_end=window_end, window_open=True, content_shown=bool(contents)
    )


def _unschedule(item: AgendaItem, *, actor: User) -> None:
    """Take a case off an open meeting: back to its earlier state unless another open
    meeting holds it; this meeting's grants on it withdrawn (the meeting never took place)."""
    case = Case.objects.select_for_update().get(pk=item.case_id)
    elsewhere = AgendaItem.objects.filter(case=case, meeting__status__in=OPEN_STATUSES).exclude(
        meeting=item.meeting_id
    )
    if case.status == CaseStatus.SCHEDULED and not elsewhere.exists():
        case_services.case_transition(
            case=case,
            actor=actor,
            to=item.case_status_before or CaseStatus.SUBMITTED,
            reason=f"{_source(item.meeting)} removed",
        )
    _revoke_case(item.meeting, case, facts_too=True)


@transaction.atomic
def agenda_item_remove(*, actor: User, item: AgendaItem) -> None:
    """Take an item off an open meeting's agenda; a case goes back where it was."""
    _require_running(actor, item.meeting.network)
    meeting = _locked(item.meeting)
    _require_status(meeting, OPEN_STATUSES, "meeting_not_open")
    if item.case_id:
        _unschedule(item, actor=actor)
    item.delete()


@transaction.atomic
def agenda_item_move(*, actor: User, item: AgendaItem, order: int) -> AgendaItem:
    """Move an item to position `order` (1-based); the others shift to make room."""
    _require_running(actor, item.meeting.network)
    meeting = _locked(item.meeting)
    _require_status(meeting, OPEN_STATUSES, "meeting_not_open")
    items = list(meeting.agenda_items.order_by("order", "id"))
    items.remove(next(i for i in items if i.pk == item.pk))
    position = max(1, min(order, len(items) + 1))
    items.insert(position - 1, item)
    for index, each in enumerate(items, start=1):
        if each.order != index:
            each.order = index
            each.save(update_fields=["order"])
    item.order = position
    return item


# --- invitations --------------------------------------------------------------------------


def answers_open(meeting: Meeting) -> bool:
    """Whether the meeting's invitations may still be answered (`invitation_answer`'s state
    rule): while it is convened, not once held, closed or cancelled."""
    return meeting.status in ANSWERABLE_STATUSES


@transaction.atomic
def invitation_answer(*, person: User, invitation: Invitation, response: str) -> Invitation:
    """A person answers their own invitation (pending, accepted or declined), while the
    meeting has not taken place; 403 `not_your_invitation` for anyone else's."""
    invitation = (
        Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    )
    if not may_answer_invitation(person, invitation):
        raise Forbidden("not_your_invitation")
    _require_status(invitation.meeting, ANSWERABLE_STATUSES, "meeting_not_convened")
    if response not in Invitation.Response.values:
        raise ValidationError({"response": [_("Unknown answer.")]})
    if invitation.response != response:
        invitation.response = response
        invitation.responded_at = clock.now()
        invitation.save(update_fields=["response", "responded_at"])
    return invitation
