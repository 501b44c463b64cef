"""Role division (役割分担): reviews, role assignments, answers, finalisation, progress.

The rules of the practitioners' meeting live here and nowhere else:
- a review is of one case, at a held meeting that had the case on its agenda (by a
  coordinator or an attendee) or outside a meeting (by a coordinator); the case goes to
  `reviewed`; one review of a case is open at a time, and it is kept when final;
- until final, coordinators (and attendees during the held meeting) add, change and remove
  role assignments; changing an answered assignment's agency, function or tasks asks the
  agency again (its answer resets to pending);
- a designated person of the assigned agency agrees or declines (with a reason); a
  coordinator may record an agreement given aloud, marked on behalf, with a note;
- `review_finalize` refuses (409) with every unmet rule listed; on success the review locks
  and the case goes to monitoring;
- role holders (the agency's staff) record progress once the review is final.

Who may do each thing is stated once, in `permissions.rules` (the "reviews" section): the
services ask those rules of the actor and raise `Forbidden` with the codes the API answers.
Content leaves only through the read services below (`reviews_read`, `review_read`,
`roles_read`, `role_read`, `progress_read`, `history_read`, `role_division_read`, and the
writes that answer with content, `..._and_read`): they check the reader, unseal through
`conferences.privacy.sealing` and record the reading (`sealing.read_audited`), in one transaction.

Access follows the events (`permissions.services`): an agency asked to take a role sees the
case's facts, reads the content once it agrees, and keeps reading its own tasks always; the
content grant ends when the case closes. Every change is a `ReviewChange` row (who, when,
from what to what), sealed because tasks and assessments are case content.

Concurrency: every write takes the review's row lock first, so an answer and a
finalisation are serialised; a finalised review can never hold a pending assignment.
"""

import copy
import json
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from conferences.cases.services import CASE_ENDED, case_transition, may_start
from conferences.models import (
    TASK_ENDED,
    Agreement,
    Case,
    CaseStatus,
    Involvement,
    Meeting,
    MeetingKind,
    MeetingStatus,
    ProgressNote,
    Review,
    ReviewChange,
    RoleAssignment,
    RoleFunction,
    TaskStatus,
)
from conferences.privacy import sealing
from conferences.reviews.selectors import open_tasks, practitioner_agency_ids
from config import clock
from config.errors import Conflict, Forbidden
from network.models import Network, Tier
from permissions import rules
from permissions import services as grants

REVIEW_TEXT_FIELDS = ("assessment", "support_direction", "notes")
REVIEW_FIELDS = (*REVIEW_TEXT_FIELDS, "next_review_on")
ROLE_FIELDS = ("agency", "function", "involvement", "tasks", "due_on")
# Changing one of these asks the agency again.
ROLE_RESETTING = ("agency", "function", "tasks")


def _value(value):
    if isinstance(value, Agency):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


def _change(
    review: Review, *, actor: User, action: str, role_id: int | None = None, changes=None
) -> ReviewChange:
    row = ReviewChange.objects.create(
        review=review,
        role_id=role_id,
        action=action,
        actor=actor,
        at=clock.now(),
        data_key_id=review.data_key_id,
    )
    if changes:
        text = json.dumps(
            {k: [_value(a), _value(b)] for k, (a, b) in changes.items()}, ensure_ascii=False
        )
        row.data_key = review.data_key
        row.save(update_fields=sealing.seal(row, {"changes": text}))
    return row


# --- facts ----------------------------------------------------------------------------------


# --- reviews ------------------------------------------------------------------------------


def _locked_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("case__network", "data_key", "meeting")
        .get(pk=review.pk)
    )


def case_followed(case: Case) -> bool:
    """Whether the case is still followed up: not closed, withdrawn (`CASE_ENDED`) nor
    purged. Its roles change, are answered and report progress only while it is."""
    return case.status not in CASE_ENDED and case.purged_at is None


def review_open(review: Review) -> bool:
    """Whether the review may still change (`_require_open`'s state rule): not final, and
    its case still followed up (`case_followed`)."""
    return review.finalized_at is None and case_followed(review.case)


def role_answers_open(role: RoleAssignment) -> bool:
    """Whether the role may be answered now (`role_agree`'s and `role_decline`'s state
    rule): its review is open (`review_open`). `role_answers_open_q` states the same for
    lists."""
    return review_open(role.review)


def role_answers_open_q() -> Q:
    """`role_answers_open` as a filter of `RoleAssignment` rows, for lists (the home page's
    roles to answer; tests/web/test_home.py proves the two agree)."""
    return (
        Q(review__finalized_at__isnull=True)
        & ~Q(review__case__status__in=CASE_ENDED)
        & Q(review__case__purged_at__isnull=True)
    )


def progress_open(role: RoleAssignment) -> bool:
    """Whether progress may be recorded on the role now (`progress_add`'s state rule): its
    review is final and its case still followed up (`case_followed`)."""
    return role.review.finalized_at is not None and case_followed(role.review.case)


def _require_open(review: Review) -> None:
    """409 unless the review is open (`review_open`): `review_final` for a final review,
    `case_ended` for one whose case has been closed, withdrawn or purged. The case's row is
    locked (after the review's and the role's, the order everywhere), so a case closing
    meanwhile cannot slip between this check and the write."""
    case = Case.objects.select_for_update().get(pk=review.case_id)
    review.case.status, review.case.purged_at = case.status, case.purged_at
    if review_open(review):
        return
    if review.finalized_at is not None:
        raise Conflict("review_final", _("This review is final; it can no longer change."))
    raise Conflict(
        "case_ended",
        _("This case is %(status)s; its review can no longer change.")
        % {"status": case.get_status_display()},
    )


def _review_field_errors(fields: dict) -> None:
    unknown = sorted(set(fields) - set(REVIEW_FIELDS))
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})


@transaction.atomic
def review_create(*, actor: User, case: Case, meeting: Meeting | None = None, **fields) -> Review:
    """Start a review. At a meeting: the meeting is of the case's network, had the case on
    its agenda and is held (or, for coordinators, closed since). Outside a meeting: a
    coordinator reviews a submitted case, or one in monitoring. The case becomes
    `reviewed`. 409 while another review of the case is open."""
    _review_field_errors(fields)
    case = Case.objects.select_for_update(of=("self",)).select_related("network").get(pk=case.pk)
    if not rules.may_write_review(actor, case, meeting):
        raise Forbidden("not_a_review_writer", _("Only coordinators and attendees write reviews."))
    if case.reviews.filter(finalized_at__isnull=True).exists():
        raise Conflict("review_open", _("This case already has a review in progress."))
    if meeting is not None and case.reviews.filter(meeting=meeting).exists():
        raise Conflict(
            "review_exists_for_meeting",
            _("This case has already been reviewed at this meeting."),
        )
    if meeting is not None:
        if (
            meeting.network_id != case.network_id
            or not meeting.agenda_items.filter(case=case).exists()
        ):
            raise ValidationError({"meeting": [_("The case was not on this meeting's agenda.")]})
        if meeting.status not in (MeetingStatus.HELD, MeetingStatus.CLOSED):
            raise Conflict("meeting_not_held", _("A review is written once the meeting is held."))
    # A scheduled case is reviewed at its meeting, not beside it.
    reviewable = may_start(case, "review") and (
        meeting is not None or case.status != CaseStatus.SCHEDULED
    )
    if case.purged_at is not None or not reviewable:
        raise Conflict(
            "case_not_reviewable",
            _("This case is %(status)s; it cannot be reviewed now.")
            % {"status": case.get_status_display()},
        )
    review = Review.objects.create(
        case=case,
        meeting=meeting,
        data_key_id=case.data_key_id,
        next_review_on=fields.get("next_review_on"),
        created_by=actor,
        created_at=clock.now(),
    )
    review.data_key = case.data_key
    texts = {f: fields.get(f) or "" for f in REVIEW_TEXT_FIELDS}
    review.save(update_fields=sealing.seal(review, texts))
    case_transition(case=case, actor=actor, to=CaseStatus.REVIEWED, reason=f"review:{review.pk}")
    _change(
        review,
        actor=actor,
        action=ReviewChange.Action.REVIEW_CREATED,
        changes={k: (None, v) for k, v in fields.items() if v not in (None, "")},
    )
    return review


@transaction.atomic
def review_update(*, actor: User, review: Review, **fields) -> Review:
    """Change an open review's texts or next review date (only those named)."""
    _review_field_errors(fields)
    review = _locked_review(review)
    if not rules.may_write_review(actor, review.case, review.meeting):
        raise Forbidden("not_a_review_writer", _("Only coordinators and attendees write reviews."))
    _require_open(review)
    texts = {f: fields[f] or "" for f in REVIEW_TEXT_FIELDS if f in fields}
    before = sealing.unseal(review, list(texts))
    changes = {f: (before[f], texts[f]) for f in texts if before[f] != texts[f]}
    if "next_review_on" in fields and fields["next_review_on"] != review.next_review_on:
        changes["next_review_on"] = (review.next_review_on, fields["next_review_on"])
        review.next_review_on = fields["next_review_on"]
    if changes:
        sealed = sealing.seal(review, {f: texts[f] for f in changes if f in texts})
        review.save(update_fields=[*sealed, "next_review_on", "updated_at"])
        _change(review, actor=actor, action=ReviewChange.Action.REVIEW_CHANGED, changes=changes)
    return review


def _unmet(roles: list[RoleAssignment]) -> list[dict]:
    """Every rule a division of roles breaks, each with the assignments concerned."""
    unmet = []
    if not roles:
        unmet.append({"rule": "no_assignment", "detail": _("No role has been assigned.")})
    leads = [r.pk for r in roles if r.function == RoleFunction.LEAD]
    if roles and not leads:
        unmet.append({"rule": "no_lead", "detail": _("No agency has the lead (主担当).")})
    if len(leads) > 1:
        unmet.append({"rule": "several_leads", "detail": _("More than one lead."), "roles": leads})
    for state, rule, detail in (
        (Agreement.PENDING, "pending", _("Some agencies have not answered yet.")),
        (Agreement.DECLINED, "declined", _("Some agencies declined; replace or change them.")),
    ):
        ids = [r.pk for r in roles if r.agreement == state]
        if ids:
            unmet.append({"rule": rule, "detail": detail, "roles": ids})
    return unmet


@transaction.atomic
def review_finalize(*, actor: User, review: Review) -> Review:
    """Lock the division of roles: exactly one lead and every assignment agreed (409
    `review_incomplete` listing every unmet rule otherwise). The case goes to monitoring."""
    review = _locked_review(review)
    if not rules.may_finalize_review(actor, review):
        raise Forbidden("coordinator_only", _("Only a coordinator finalises a review."))
    if review.finalized_at is not None:
        return review
    roles = list(review.roles.select_for_update().order_by("id"))
    unmet = _unmet(roles)
    if unmet:
        raise Conflict(
            "review_incomplete",
            _("The division of roles is not complete."),
            extra={"unmet": unmet},
        )
    case = Case.objects.select_for_update().get(pk=review.case_id)
    if not may_start(case, "finalize"):
        raise Conflict(
            "case_not_reviewed",
            _("This case is %(status)s; the review cannot be finalised.")
            % {"status": case.get_status_display()},
        )
    review.finalized_at, review.finalized_by = clock.now(), actor
    review.save(update_fields=["finalized_at", "finalized_by", "updated_at"])
    case_transition(case=case, actor=actor, to=CaseStatus.MONITORING, reason=f"review:{review.pk}")
    _change(review, actor=actor, action=ReviewChange.Action.FINALIZED)
    return review


# --- role assignments ---------------------------------------------------------------------


def _validate_role(role: RoleAssignment) -> None:
    errors = {}
    if role.function not in RoleFunction.values:
        errors["function"] = [_("Unknown function.")]
    if role.involvement not in Involvement.values:
        errors["involvement"] = [_("Unknown involvement.")]
    if role.agency_id and not Agency.objects.filter(pk=role.agency_id, active=True).exists():
        errors["agency"] = [_("This agency is not active.")]
    if errors:
        raise ValidationError(errors)


def _locked_role(role: RoleAssignment) -> tuple[Review, RoleAssignment]:
    """The review's lock, then the assignment's: the same order everywhere."""
    review = _locked_review(role.review)
    role = RoleAssignment.objects.select_for_update(of=("self",)).get(pk=role.pk)
    role.review, role.data_key = review, review.data_key
    return review, role


def _require_writer(actor: User, review: Review) -> None:
    if not rules.may_assign_roles(actor, review):
        raise Forbidden(
            "not_a_review_writer", _("Only coordinators and attendees divide the roles.")
        )


def _role_grants(review: Review, role: RoleAssignment) -> None:
    """What a role shows the assigned agency's staff: the case's facts while it is asked,
    and its content once the agency agreed; for an agency seated now in the network's
    practitioners' tier (bound by the network's pledge and its legal basis), or one a
    coordinator invited. An agency outside the network gets nothing on being asked:
    sharing a case with it is the coordinator's decision, not a side effect of a role."""
    if role.agency_invited_at is None and role.agency_id not in practitioner_agency_ids(
        review.case.network_id
    ):
        grants.case_role_revoke(case=review.case, role_id=role.pk)
        return
    grants.case_role_grants(
        case=review.case,
        agency_id=role.agency_id,
        role_id=role.pk,
        content=role.agreement == Agreement.AGREED,
    )


@transaction.atomic
def role_agency_invite(*, actor: User, role: RoleAssignment) -> RoleAssignment:
    """A coordinator invites an agency outside the network to the case its role is on:
    its staff see the case's facts from now, and its content once the role is agreed. 403
    `not_a_coordinator` for anyone else; 409 `agency_in_network` for an agency seated in
    the practitioners' tier (it sees the case already), `case_ended` once the case is
    closed, withdrawn or purged. Inviting again changes nothing."""
    review, role = _locked_role(role)
    case = Case.objects.select_for_update().get(pk=review.case_id)
    if not rules.may_invite_role_agency(actor, role):
        raise Forbidden("not_a_coordinator", _("Only a coordinator invites an outside agency."))
    if case.status in CASE_ENDED or case.purged_at is not None:
        raise Conflict(
            "case_ended",
            _("This case is %(status)s; no agency can be invited to it.")
            % {"status": case.get_status_display()},
        )
    if role.agency_id in practitioner_agency_ids(case.network_id):
        raise Conflict(
            "agency_in_network",
            _("This agency sits in the practitioners' tier; it sees the case already."),
        )
    if role.agency_invited_at is not None:
        return role
    role.agency_invited_at, role.agency_invited_by = clock.now(), actor
    role.save(update_fields=["agency_invited_at", "agency_invited_by"])
    _role_grants(review, role)
    _change(
        review,
        actor=actor,
        action=ReviewChange.Action.AGENCY_INVITED,
        role_id=role.pk,
        changes={"agency_invited": (None, role.agency_id)},
    )
    return role


@transaction.atomic
def role_add(
    *,
    actor: User,
    review: Review,
    agency: Agency,
    function: str,
    involvement: str,
    tasks: str = "",
    due_on: date | None = None,
) -> RoleAssignment:
    """Ask an agency to take a role. The staff of an agency seated in the practitioners'
    tier see the case's facts from now (to answer); an agency without a seat may be asked
    too (flagged as outside), but sees nothing until a coordinator invites it
    (`role_agency_invite`)."""
    review = _locked_review(review)
    _require_writer(actor, review)
    _require_open(review)
    now = clock.now()
    role = RoleAssignment(
        review=review,
        agency=agency,
        function=function,
        involvement=involvement,
        due_on=due_on,
        data_key=review.data_key,
        asked_at=now,
        created_by=actor,
        created_at=now,
    )
    _validate_role(role)
    role.save()
    role.save(update_fields=sealing.seal(role, {"tasks": tasks}))
    _role_grants(review, role)
    _change(
        review,
        actor=actor,
        action=ReviewChange.Action.ROLE_ADDED,
        role_id=role.pk,
        changes={
            "agency": (None, agency.pk),
            "function": (None, function),
            "involvement": (None, involvement),
            "tasks": (None, tasks),
            "due_on": (None, due_on),
        },
    )
    return role


def _reset_answer(role: RoleAssignment, now) -> None:
    role.agreement = Agreement.PENDING
    role.agreed_by, role.agreed_on_behalf = None, False
    role.agreement_note = role.decline_reason = ""
    role.answered_at, role.asked_at = None, now


ANSWER_FIELDS = [
    "agreement",
    "agreed_by",
    "agreed_on_behalf",
    "agreement_note",
    "decline_reason",
    "answered_at",
    "asked_at",
]


@transaction.atomic
def role_update(*, actor: User, role: RoleAssignment, **fields) -> RoleAssignment:
    """Change an assignment of an open review (only the fields named). A new agency,
    function or tasks ask the agency again: an answer given resets to pending, and what the
    agreement granted goes."""
    unknown = sorted(set(fields) - set(ROLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    review, role = _locked_role(role)
    _require_writer(actor, review)
    _require_open(review)
    changes = {}
    if "tasks" in fields:
        old = sealing.unseal(role, ["tasks"])["tasks"]
        if old != (fields["tasks"] or ""):
            changes["tasks"] = (old, fields["tasks"] or "")
    old_agency = role.agency_id
    if "agency" in fields and fields["agency"].pk != old_agency:
        changes["agency"] = (old_agency, fields["agency"].pk)
        role.agency = fields["agency"]
        role.asked_at = clock.now()  # a new agency is asked from now
        # The invitation was for the agency asked before.
        role.agency_invited_at, role.agency_invited_by = None, None
    for name in ("function", "involvement", "due_on"):
        if name in fields and getattr(role, name) != fields[name]:
            changes[name] = (getattr(role, name), fields[name])
            setattr(role, name, fields[name])
    if not changes:
        return role
    _validate_role(role)
    update = [name for name in changes if name != "tasks"]
    if "agency" in changes:
        update += ["asked_at", "agency_invited_at", "agency_invited_by"]
    if "tasks" in changes:
        update += sealing.seal(role, {"tasks": changes["tasks"][1]})
    if set(changes) & set(ROLE_RESETTING) and role.agreement != Agreement.PENDING:
        changes["agreement"] = (role.agreement, Agreement.PENDING)
        _reset_answer(role, clock.now())
        update += ANSWER_FIELDS
    role.save(update_fields=update)
    if role.agency_id != old_agency:
        grants.case_role_revoke(case=review.case, role_id=role.pk)
    _role_grants(review, role)
    _change(
        review,
        actor=actor,
        action=ReviewChange.Action.ROLE_CHANGED,
        role_id=role.pk,
        changes=changes,
    )
    return role


@transaction.atomic
def role_remove(*, actor: User, role: RoleAssignment) -> None:
    """Withdraw an assignment of an open review; what it granted goes, its history stays."""
    review, role = _locked_role(role)
    _require_writer(actor, review)
    _require_open(review)
    grants.case_role_revoke(case=review.case, role_id=role.pk)
    _change(
        review,
        actor=actor,
        action=ReviewChange.Action.ROLE_REMOVED,
        role_id=role.pk,
        changes={
            "agency": (role.agency_id, None),
            "function": (role.function, None),
            "agreement": (role.agreement, None),
        },
    )
    role.delete()


def _answering(actor: User, role: RoleAssignment, *, on_behalf: bool = False):
    """The review and role locked for an answer: 403 `not_your_agency` unless the actor
    answers for the role (`rules.may_answer_role`), 409 unless the review is open."""
    review, role = _locked_role(role)
    if not rules.may_answer_role(actor, role, on_behalf=on_behalf):
        raise Forbidden("not_your_agency", _("Only the assigned agency answers for itself."))
    _require_open(review)
    return review, role


def _answer(
    review: Review,
    role: RoleAssignment,
    *,
    actor: User,
    agreement: str,
    changes: dict,
    on_behalf: bool = False,
    note: str = "",
    reason: str = "",
) -> RoleAssignment:
    """Record an answer (who, when, how), the access it gives, and its history row."""
    role.agreement, role.agreed_by, role.agreed_on_behalf = agreement, actor, on_behalf
    role.agreement_note, role.decline_reason = note, reason
    role.answered_at = clock.now()
    role.save(update_fields=ANSWER_FIELDS)
    _role_grants(review, role)
    action = {
        Agreement.AGREED: ReviewChange.Action.AGREED,
        Agreement.DECLINED: ReviewChange.Action.DECLINED,
    }[agreement]
    _change(review, actor=actor, action=action, role_id=role.pk, changes=changes)
    return role


@transaction.atomic
def role_agree(
    *, actor: User, role: RoleAssignment, on_behalf: bool = False, note: str = ""
) -> RoleAssignment:
    """The agency agrees to its part (or a coordinator records it agreed aloud, with a
    note). Its staff read the case's content from now on, if it sits in the practitioners'
    tier or was invited (`_role_grants`)."""
    review, role = _answering(actor, role, on_behalf=on_behalf)
    if on_behalf and not note.strip():
        raise ValidationError({"note": [_("Say how the agreement was given.")]})
    if role.agreement == Agreement.AGREED:
        return role
    return _answer(
        review,
        role,
        actor=actor,
        agreement=Agreement.AGREED,
        on_behalf=on_behalf,
        note=note.strip(),
        changes={"agreement": (role.agreement, Agreement.AGREED), "on_behalf": (False, on_behalf)},
    )


@transaction.atomic
def role_decline(*, actor: User, role: RoleAssignment, reason: str) -> RoleAssignment:
    """The agency declines its part, with a reason (400 without one)."""
    review, role = _answering(actor, role)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for declining.")]})
    return _answer(
        review,
        role,
        actor=actor,
        agreement=Agreement.DECLINED,
        reason=reason.strip(),
        changes={"agreement": (role.agreement, Agreement.DECLINED), "reason": ("", reason.strip())},
    )


# --- progress -----------------------------------------------------------------------------


@transaction.atomic
def progress_add(*, actor: User, role: RoleAssignment, note: str, task_status: str) -> ProgressNote:
    """A progress note on a role of a final review, setting the role's task status: in
    progress, done, not possible (circumstances changed), not undertaken."""
    review, role = _locked_role(role)
    if not rules.may_record_progress(actor, role):
        raise Forbidden("not_the_role_holder", _("Only the role's agency records its progress."))
    if review.finalized_at is None:
        raise Conflict("review_not_final", _("Progress is recorded once the review is final."))
    # The case's row lock (after the review's and the role's, the order everywhere): a case
    # closing or withdrawn meanwhile cannot slip between this check and the note.
    case = Case.objects.select_for_update().get(pk=review.case_id)
    review.case.status, review.case.purged_at = case.status, case.purged_at
    if not progress_open(role):
        if case.status == CaseStatus.CLOSED:
            raise Conflict("case_closed", _("This case is closed."))
        raise Conflict(
            "case_ended",
            _("This case is %(status)s; no progress is recorded on it.")
            % {"status": case.get_status_display()},
        )
    errors = {}
    if task_status not in TaskStatus.values:
        errors["task_status"] = [_("Unknown task status.")]
    if not (note or "").strip():
        errors["note"] = [_("Write what happened.")]
    if errors:
        raise ValidationError(errors)
    progress = ProgressNote.objects.create(
        role=role,
        data_key=review.data_key,
        task_status=task_status,
        created_by=actor,
        created_at=clock.now(),
    )
    progress.save(update_fields=sealing.seal(progress, {"note": note}))
    if role.task_status != task_status:
        _change(
            review,
            actor=actor,
            action=ReviewChange.Action.PROGRESS,
            role_id=role.pk,
            changes={"task_status": (role.task_status or None, task_status)},
        )
        role.task_status = task_status
        role.save(update_fields=["task_status"])
    return progress


# --- reading (checked, unsealed and audited together) ---------------------------------------


def _shown(obj, values: dict):
    """A copy of `obj` carrying `values` (unsealed text, or None for text withheld) in place
    of its sealed fields: what the serializers show."""
    shown = copy.copy(obj)
    for name, value in values.items():
        setattr(shown, name, value)
    return shown


def _audited(
    *,
    reader: User,
    case: Case,
    rows: Iterable,
    fields,
    audit_as: str,
    via: str,
    page: Callable[[Iterable], Iterable] = list,
) -> list:
    """Copies of `page(rows)` (all of `case`) with `fields` unsealed, the reading recorded
    once in the case's access chain (not at all for an empty page): `sealing.read_audited`.
    The caller has checked that the reader may read them."""
    fields = list(fields)

    def read(keys) -> list:
        return [_shown(obj, sealing.unseal(obj, fields, keys=keys)) for obj in page(rows)]

    return sealing.read_audited(reader=reader, cases=[case], fields=[audit_as], via=via, read=read)


def _require_reviews_readable(reader: User, case: Case) -> None:
    """409 `content_purged` for a purged case, else 403 `content_not_readable` unless the
    reader may read the case's reviews."""
    sealing.require_not_purged(case)
    if not rules.may_read_reviews(reader, case):
        raise Forbidden("content_not_readable")


def _review_shown(reader: User, review: Review, via: str) -> Review:
    """The review as stored now: its texts only for whoever may read them now (unsealed and
    audited), else None."""
    review = Review.objects.select_related("case__network", "data_key").get(pk=review.pk)
    if rules.may_read_reviews(reader, review.case):
        return _audited(
            reader=reader,
            case=review.case,
            rows=[review],
            fields=REVIEW_TEXT_FIELDS,
            audit_as="reviews",
            via=via,
        )[0]
    return _shown(review, dict.fromkeys(REVIEW_TEXT_FIELDS))


def reviews_read(*, reader: User, case: Case, via: str, page=list) -> list[Review]:
    """A case's reviews, the latest first, for its content readers: `page` picks the rows
    shown (the API's pagination); they are unsealed and the reading recorded."""
    _require_reviews_readable(reader, case)
    rows = case.reviews.select_related("data_key").order_by("-created_at", "-id")
    return _audited(
        reader=reader,
        case=case,
        rows=rows,
        fields=REVIEW_TEXT_FIELDS,
        audit_as="reviews",
        via=via,
        page=page,
    )


def review_read(*, reader: User, review: Review, via: str) -> Review:
    """One review for the case's content readers (unsealed, the reading recorded)."""
    _require_reviews_readable(reader, review.case)
    return _review_shown(reader, review, via)


@transaction.atomic
def review_create_and_read(
    *, actor: User, case: Case, via: str, meeting: Meeting | None = None, **fields
) -> Review:
    """`review_create`, then the review as the writer may read it, in one transaction: a
    reading refused (the second factor) leaves nothing written."""
    review = review_create(actor=actor, case=case, meeting=meeting, **fields)
    return _review_shown(actor, review, via)


@transaction.atomic
def review_update_and_read(*, actor: User, review: Review, via: str, **fields) -> Review:
    """`review_update`, then the review as the writer may read it, in one transaction."""
    review_update(actor=actor, review=review, **fields)
    return _review_shown(actor, review, via)


@transaction.atomic
def review_finalize_and_read(*, actor: User, review: Review, via: str) -> Review:
    """`review_finalize`, then the review as the coordinator may read it, in one
    transaction."""
    review_finalize(actor=actor, review=review)
    return _review_shown(actor, review, via)


def history_read(*, reader: User, review: Review, via: str, page=list) -> list[ReviewChange]:
    """Every change to the review, oldest first, for the case's content readers; each
    row's `changes` as {field: [from, to]} (the reading recorded)."""
    _require_reviews_readable(reader, review.case)
    rows = review.changes.select_related("data_key").order_by("at", "id")
    shown = _audited(
        reader=reader,
        case=review.case,
        rows=rows,
        fields=["changes"],
        audit_as="history",
        via=via,
        page=page,
    )
    for row in shown:
        row.changes = json.loads(row.changes) if row.changes else {}
    return shown


def role_division_read(*, reader: User, review: Review, via: str) -> list[RoleAssignment]:
    """Every role of the review with its tasks, for the role-division table (its readers;
    the reading recorded)."""
    sealing.require_not_purged(review.case)
    if not rules.may_export_role_division(reader, review):
        raise Forbidden("content_not_readable")
    rows = list(review.roles.select_related("agency", "data_key", "agreed_by").order_by("id"))
    return _audited(
        reader=reader,
        case=review.case,
        rows=rows,
        fields=["tasks"],
        audit_as="role_division",
        via=via,
    )


def roles_read(*, reader: User, review: Review, via: str, page=list) -> list[RoleAssignment]:
    """The review's roles: every one for the case's content readers, their own agency's for
    a role-holding agency's staff (`rules.role_reading`); tasks unsealed, reading recorded."""
    sealing.require_not_purged(review.case)
    reading = rules.role_reading(reader, review.case)
    if not (reading.all or reading.own_agency is not None):
        raise Forbidden("content_not_readable")
    rows = review.roles.select_related("agency", "data_key", "review").order_by("id")
    if not reading.all:
        rows = rows.filter(agency_id=reading.own_agency)
    return _audited(
        reader=reader,
        case=review.case,
        rows=rows,
        fields=["tasks"],
        audit_as="tasks",
        via=via,
        page=page,
    )


def _role_shown(reader: User, role: RoleAssignment, via: str) -> RoleAssignment:
    """The role as stored now: its tasks only for whoever may read them now (unsealed and
    audited), else None."""
    role = RoleAssignment.objects.select_related(
        "review__case__network", "review__case__data_key", "data_key", "agency"
    ).get(pk=role.pk)
    if rules.may_read_role(reader, role):
        return _audited(
            reader=reader,
            case=role.review.case,
            rows=[role],
            fields=["tasks"],
            audit_as="tasks",
            via=via,
        )[0]
    return _shown(role, {"tasks": None})


def role_read(*, reader: User, role: RoleAssignment, via: str) -> RoleAssignment:
    """One role for its readers (`rules.may_read_role`), its tasks unsealed and the reading
    recorded."""
    sealing.require_not_purged(role.review.case)
    if not rules.may_read_role(reader, role):
        raise Forbidden("content_not_readable")
    return _role_shown(reader, role, via)


@transaction.atomic
def role_add_and_read(*, actor: User, review: Review, via: str, **fields) -> RoleAssignment:
    """`role_add`, then the role as the writer may read it, in one transaction."""
    role = role_add(actor=actor, review=review, **fields)
    return _role_shown(actor, role, via)


@transaction.atomic
def role_update_and_read(
    *, actor: User, role: RoleAssignment, via: str, **fields
) -> RoleAssignment:
    """`role_update`, then the role as the writer may read it, in one transaction."""
    role = role_update(actor=actor, role=role, **fields)
    return _role_shown(actor, role, via)


@transaction.atomic
def role_agree_and_read(
    *, actor: User, role: RoleAssignment, via: str, on_behalf: bool = False, note: str = ""
) -> RoleAssignment:
    """`role_agree`, then the role as the answerer may read it, in one transaction."""
    role = role_agree(actor=actor, role=role, on_behalf=on_behalf, note=note)
    return _role_shown(actor, role, via)


@transaction.atomic
def role_decline_and_read(
    *, actor: User, role: RoleAssignment, via: str, reason: str
) -> RoleAssignment:
    """`role_decline`, then the role as the answerer may read it, in one transaction."""
    role = role_decline(actor=actor, role=role, reason=reason)
    return _role_shown(actor, role, via)


@transaction.atomic
def role_agency_invite_and_read(*, actor: User, role: RoleAssignment, via: str) -> RoleAssignment:
    """`role_agency_invite`, then the role as the coordinator may read it, in one
    transaction."""
    role = role_agency_invite(actor=actor, role=role)
    return _role_shown(actor, role, via)


def progress_read(*, reader: User, role: RoleAssignment, via: str, page=list) -> list:
    """A role's progress notes, oldest first, for the role's agency and the coordinators
    reading the case (`rules.may_read_progress`); unsealed, the reading recorded."""
    sealing.require_not_purged(role.review.case)
    if not rules.may_read_progress(reader, role):
        raise Forbidden("content_not_readable")
    rows = role.progress_notes.select_related("data_key", "created_by").order_by("created_at", "id")
    return _audited(
        reader=reader,
        case=role.review.case,
        rows=rows,
        fields=["note"],
        audit_as="progress",
        via=via,
        page=page,
    )


@transaction.atomic
def progress_add_and_read(
    *, actor: User, role: RoleAssignment, via: str, note: str, task_status: str
) -> ProgressNote:
    """`progress_add`, then the note as written (unsealed, the reading recorded), in one
    transaction."""
    progress = progress_add(actor=actor, role=role, note=note, task_status=task_status)
    return _audited(
        reader=actor,
        case=role.review.case,
        rows=[progress],
        fields=["note"],
        audit_as="progress",
        via=via,
    )[0]


# --- follow-up ----------------------------------------------------------------------------


def follow_ups(*, reader: User, network: Network, on: date, stalled_days: int) -> dict:
    """What a coordinator follows up on `on` (facts only, nothing unsealed): tasks of final
    reviews past their due date and not ended, reviews whose next review date has come
    (cases in monitoring, latest review only), and answers pending for `stalled_days`. 403
    `coordinator_only` for anyone else (`rules.may_read_follow_ups`)."""
    if not rules.may_read_follow_ups(reader, network):
        raise Forbidden("coordinator_only")
    network_id = network.pk
    live = ~Q(review__case__status__in=CASE_ENDED)
    roles = RoleAssignment.objects.filter(live, review__case__network_id=network_id).select_related(
        "review__case", "agency"
    )
    overdue = open_tasks(network_id).filter(due_on__lt=on).order_by("due_on", "id")
    stalled = roles.filter(
        agreement=Agreement.PENDING,
        review__finalized_at__isnull=True,
        asked_at__lte=clock.now() - timedelta(days=stalled_days),
    ).order_by("asked_at", "id")
    latest = Review.objects.filter(case=OuterRef("case")).order_by("-created_at", "-id")
    due = (
        Review.objects.filter(
            case__network_id=network_id,
            case__status=CaseStatus.MONITORING,
            finalized_at__isnull=False,
            next_review_on__lte=on,
        )
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("case")
        .order_by("next_review_on", "id")
    )
    return {
        "overdue_tasks": list(overdue),
        "reviews_due": list(due),
        "stalled_agreements": list(stalled),
    }


def role_load(*, reader: User, network: Network) -> list[dict]:
    """Roles of each case's latest final review, per agency and function: open (task not
    ended, case still followed up), done, and ended otherwise (not possible, not
    undertaken). Counts only, no content. 403 `practitioners_only` for whoever may not read
    it (`rules.may_read_role_load`)."""
    if not rules.may_read_role_load(reader, network):
        raise Forbidden("practitioners_only")
    network_id = network.pk
    latest = (
        Review.objects.filter(case=OuterRef("review__case"), finalized_at__isnull=False)
        .order_by("-finalized_at", "-id")
        .values("pk")[:1]
    )
    rows = (
        RoleAssignment.objects.filter(
            review__case__network_id=network_id,
            review__finalized_at__isnull=False,
            review=Subquery(latest),
        )
        .values("agency", "agency__name", "function")
        .annotate(
            open=Count(
                "id",
                filter=~Q(task_status__in=TASK_ENDED) & ~Q(review__case__status__in=CASE_ENDED),
            ),
            done=Count("id", filter=Q(task_status=TaskStatus.DONE)),
            ended_otherwise=Count(
                "id",
                filter=Q(task_status__in=[TaskStatus.NOT_POSSIBLE, TaskStatus.NOT_UNDERTAKEN]),
            ),
        )
        .order_by("agency__name_kana", "agency", "function")
    )
    return list(rows)


# --- the follow-up round on a meeting's agenda --------------------------------------------


@transaction.atomic
def agenda_role_tasks_add(*, actor: User, meeting: Meeting):
    """Add to an open practitioners' meeting the follow-up round: one topic listing every
    unfinished task of earlier reviews with its agency, function, due date and status. Not
    the case's code (invitees need not see every case of the network) nor the task's text
    (case content); a case support meeting lists only its named agencies' tasks. 403
    `coordinator_only` for anyone but the network's coordinators; 409 `no_open_tasks` when
    none."""
    from conferences.meetings.services import agenda_item_add

    if not rules.may_add_role_tasks_to_agenda(actor, meeting):
        raise Forbidden("coordinator_only")
    if meeting.tier != Tier.PRACTITIONERS:
        raise Conflict(
            "not_a_practitioners_meeting",
            _("Role tasks are followed up in the practitioners' tier."),
        )
    tasks = open_tasks(meeting.network_id).exclude(review__meeting=meeting)
    if meeting.kind == MeetingKind.CASE_SUPPORT_MEETING:
        tasks = tasks.filter(agency__in=meeting.invited_agencies.all())
    tasks = list(tasks.order_by("agency__name_kana", "due_on", "id"))
    if not tasks:
        raise Conflict("no_open_tasks", _("No role task is open."))
    lines = [
        "　".join(
            [
                role.agency.name,
                str(role.get_function_display()),
                _("due %(day)s") % {"day": role.due_on.isoformat()}
                if role.due_on
                else _("no due date"),
                str(role.get_task_status_display()) if role.task_status else _("not reported"),
            ]
        )
        for role in tasks
    ]
    item = agenda_item_add(
        actor=actor,
        meeting=meeting,
        kind="topic",
        title=_("Follow-up of role tasks (%(count)s open)") % {"count": len(tasks)},
    )
    item.details = "\n".join(lines)
    item.save(update_fields=["details"])
    return item
