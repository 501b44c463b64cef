"""Reads of the shell's pages: what the home page (今日やること) lists for a person.

Every row comes from the visibility querysets the API reads with
(`permissions.selectors.visible_meetings`, `visible_cases`, `standing_invitations`), so the
home page never shows what the person may not see; and only facts (codes, titles, dates,
states), never case content."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from conferences.cases.services import CASE_ENDED
from conferences.models import (
    TASK_ENDED,
    Agreement,
    CaseStatus,
    Invitation,
    MeetingStatus,
    RoleAssignment,
)
from conferences.reviews.selectors import overdue_on
from conferences.reviews.services import role_answers_open_q
from config import clock
from network.models import Membership, Tier
from permissions.selectors import standing_invitations, visible_cases, visible_meetings

# Rows shown per section; the count says how many there are in all.
HOME_ROWS = 10
# Tasks due within this many days are listed with the overdue ones.
TASKS_DUE_DAYS = 14


@dataclass(frozen=True)
class Section:
    """Up to `HOME_ROWS` rows of a section, and how many there are in all."""

    rows: list
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass(frozen=True)
class Home:
    """What waits for a person today (`home_for`)."""

    invitations: Section  # Invitation rows, meeting joined
    meetings: Section  # Invitation rows of the next meetings, meeting joined
    roles_to_answer: Section  # RoleAssignment rows, case joined
    tasks_due: Section  # RoleAssignment rows, case joined, `overdue` annotated
    drafts: Section  # Case rows
    today: date
    due_by: date


def _section(rows: QuerySet) -> Section:
    """The first rows (one query), and their count: a second query only when the rows
    fill the section, so there may be more."""
    first = list(rows[:HOME_ROWS])
    count = len(first) if len(first) < HOME_ROWS else rows.count()
    return Section(rows=first, count=count)


def _invitations(user) -> QuerySet[Invitation]:
    """The person's standing invitations to meetings they may see."""
    return (
        standing_invitations()
        .filter(person=user, meeting__in=visible_meetings(user))
        .select_related("meeting")
    )


def _agency_roles(user) -> QuerySet[RoleAssignment]:
    """Roles of the person's agency on cases whose facts the person may see (the API's role
    reads: `conferences.reviews.selectors.visible_role_or_404`)."""
    if not user.agency_id:
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(
        review__case__in=visible_cases(user), agency_id=user.agency_id
    ).select_related("review__case")


def answerable_roles(user, today: date | None = None) -> QuerySet[RoleAssignment]:
    """Roles of the person's agency waiting for its answer that the person may give:
    `permissions.rules.may_answer_role` (not on behalf) as one query, for lists. The rule
    asks `designated_for`: a person designated for their agency in a current
    practitioners'-tier membership of the case's network (tests/web/test_home.py proves
    the two agree). Only roles whose answers are open take answers
    (`conferences.reviews.services.role_answers_open`, as its filter `role_answers_open_q`:
    the review not final, the case still followed up)."""
    if not user.is_active or not user.agency_id:
        return RoleAssignment.objects.none()
    designated = (
        Membership.objects.current(today or clock.today())
        .filter(agency_id=user.agency_id, tier=Tier.PRACTITIONERS, designated_people=user)
        .values("network_id")
    )
    return _agency_roles(user).filter(
        role_answers_open_q(),
        agreement=Agreement.PENDING,
        review__case__network_id__in=designated,
    )


def home_for(user, now: datetime) -> Home:
    """What waits for the person at `now`, in five sections of at most `HOME_ROWS` rows with
    their counts; a fixed number of queries whatever the number of rows:

    - invitations waiting for their answer (convened meetings, invitation pending);
    - their next meetings (convened or being held, not over; accepted or pending), soonest
      first;
    - roles of their agency waiting for an answer they may give (`answerable_roles`);
    - their agency's agreed tasks due within `TASKS_DUE_DAYS` days or overdue, not ended,
      on cases still followed up (`overdue` annotated: `reviews.selectors.overdue_on`,
      the roles list's definition): agreed is enough, before the
      review is final (the coordinators' follow-ups count final reviews only);
    - drafts they wrote, and their agency's drafts (which its staff may edit).

    A coordinator gets the same for their own person and agency."""
    today = timezone.localdate(now)
    due_by = today + timedelta(days=TASKS_DUE_DAYS)
    invitations = _invitations(user)
    waiting = invitations.filter(
        response=Invitation.Response.PENDING, meeting__status=MeetingStatus.CONVENED
    ).order_by("meeting__starts_at", "meeting_id")
    upcoming = invitations.filter(
        response__in=[Invitation.Response.PENDING, Invitation.Response.ACCEPTED],
        meeting__status__in=[MeetingStatus.CONVENED, MeetingStatus.HELD],
        meeting__ends_at__gt=now,
    ).order_by("meeting__starts_at", "meeting_id")
    to_answer = answerable_roles(user, today).order_by("asked_at", "id")
    tasks = (
        _agency_roles(user)
        .filter(agreement=Agreement.AGREED, due_on__lte=due_by)
        .exclude(task_status__in=TASK_ENDED)
        .exclude(review__case__status__in=CASE_ENDED)
        .annotate(overdue=overdue_on(today))
        .order_by("due_on", "id")
    )
    own = Q(author=user)
    if user.agency_id:
        own |= Q(submitting_agency_id=user.agency_id)
    drafts = visible_cases(user).filter(own, status=CaseStatus.DRAFT).order_by("-updated_at", "-id")
    return Home(
        invitations=_section(waiting),
        meetings=_section(upcoming),
        roles_to_answer=_section(to_answer),
        tasks_due=_section(tasks),
        drafts=_section(drafts),
        today=today,
        due_by=due_by,
    )
