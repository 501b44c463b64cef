"""Reads of the role division: one review or role the person may see (404 otherwise, as
for its case), the roles a person follows across cases, a role's history, the agencies of a
network's practitioners' tier, the open tasks."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, Case, Q, Value, When

from conferences.cases.services import CASE_ENDED
from conferences.models import (
    TASK_ENDED,
    Agreement,
    ProgressNote,
    Review,
    ReviewChange,
    RoleAssignment,
)
from config import clock
from network.models import Membership, Tier
from permissions.access import get_visible_or_404
from permissions.selectors import coordinated_networks, visible_cases


def _reviews(user):
    return Review.objects.filter(case__in=visible_cases(user)).select_related(
        "case__network", "case__data_key", "data_key", "meeting"
    )


def visible_review_or_404(user, pk) -> Review:
    """The review, if the person sees its case's facts; 404 otherwise."""
    return get_visible_or_404(_reviews(user), pk=pk, user=user, view_perm=None)


def _roles(user):
    return RoleAssignment.objects.filter(review__case__in=visible_cases(user)).select_related(
        "review__case__network", "review__case__data_key", "review__meeting", "data_key", "agency"
    )


def visible_role_or_404(user, pk) -> RoleAssignment:
    """The role assignment, if the person sees its case's facts; 404 otherwise."""
    return get_visible_or_404(_roles(user), pk=pk, user=user, view_perm=None)


def overdue_on(today: date) -> Case:
    """Whether a role is overdue on `today`, as an expression of `RoleAssignment` rows (the
    one definition every list annotates): due before `today`, not declined (a role asked
    and still unanswered past its due date is overdue too), its task not ended
    (`TASK_ENDED`) and its case still followed up (not in `CASE_ENDED`). False, never
    NULL, for a role without a due date."""
    overdue = (
        Q(due_on__lt=today)
        & ~Q(agreement=Agreement.DECLINED)
        & ~Q(task_status__in=TASK_ENDED)
        & ~Q(review__case__status__in=CASE_ENDED)
    )
    return Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField())


# `task_status` filter value for roles on which no progress has been recorded yet.
NOT_REPORTED = "none"


def followed_roles(user, *, agreement: str = "", task_status: str = "", today: date | None = None):
    """The roles a person follows across cases, facts only (no tasks): their own agency's,
    and for a coordinator every role of the networks they coordinate; in either case only on
    cases whose facts they see (`visible_cases`: nothing for platform admins, auditors,
    representatives or other networks). Narrowed by `agreement` and `task_status` (a
    `TaskStatus` value, or `NOT_REPORTED`) when given. Each row carries `overdue`
    (`overdue_on(today)`). One query, whatever the number of rows."""
    today = today or clock.today()
    mine = Q(agency_id=user.agency_id) if getattr(user, "agency_id", None) else Q(pk__in=[])
    coordinated = Q(review__case__network__in=coordinated_networks(user))
    rows = RoleAssignment.objects.filter(review__case__in=visible_cases(user)).filter(
        mine | coordinated
    )
    if agreement:
        rows = rows.filter(agreement=agreement)
    if task_status == NOT_REPORTED:
        rows = rows.filter(task_status="")
    elif task_status:
        rows = rows.filter(task_status=task_status)
    return (
        rows.select_related("review__case", "agency")
        .annotate(overdue=overdue_on(today))
        .order_by("review__case__code", "review__created_at", "id")
    )


@dataclass(frozen=True)
class RoleEvent:
    """One line of a role's history: when, what (`action`, a `ReviewChange.Action` value
    or "note"), by whom, and for a progress note the task status it reported (facts only:
    never a note's text)."""

    at: datetime
    action: str
    label: str
    actor: object
    task_status: str = ""
    task_status_label: str = ""


def role_history(role: RoleAssignment) -> list[RoleEvent]:
    """A role's history in time order, facts only (nothing unsealed, so nothing to record):
    what is stored of its assignment and answers (`ReviewChange` rows of the role: asked,
    changed, invited, agreed, declined; never their sealed `changes`), and its progress
    notes (who, when, the task status they reported; never their text). The history rows
    of a task status changing are left to the notes that carry it. Two queries."""
    changes = (
        ReviewChange.objects.filter(review_id=role.review_id, role_id=role.pk)
        .exclude(action=ReviewChange.Action.PROGRESS)
        .select_related("actor")
        .order_by("at", "id")
    )
    notes = (
        ProgressNote.objects.filter(role_id=role.pk)
        .select_related("created_by")
        .only("created_at", "task_status", "created_by")
        .order_by("created_at", "id")
    )
    events = [
        RoleEvent(at=row.at, action=row.action, label=row.get_action_display(), actor=row.actor)
        for row in changes
    ]
    events += [
        RoleEvent(
            at=note.created_at,
            action="note",
            label=str(ReviewChange.Action.PROGRESS.label),
            actor=note.created_by,
            task_status=note.task_status,
            task_status_label=note.get_task_status_display(),
        )
        for note in notes
    ]
    return sorted(events, key=lambda event: event.at)


def practitioner_agency_ids(network_id: int) -> set[int]:
    """Agencies with a current practitioners'-tier seat: others are outside agencies."""
    return set(
        Membership.objects.current(clock.today())
        .filter(network_id=network_id, tier=Tier.PRACTITIONERS)
        .values_list("agency_id", flat=True)
    )


def open_tasks(network_id: int):
    """Roles of final reviews whose task is not ended, of cases still followed up."""
    return (
        RoleAssignment.objects.filter(
            review__case__network_id=network_id,
            review__finalized_at__isnull=False,
        )
        .exclude(review__case__status__in=CASE_ENDED)
        .exclude(task_status__in=TASK_ENDED)
        .select_related("review__case", "agency")
        .order_by("review__case__code", "due_on", "id")
    )
