"""Reads of the role division: one review or role the person may see (404 otherwise, as
for its case), the agencies of a network's practitioners' tier, the open tasks."""

from conferences.models import TASK_ENDED, CaseStatus, Review, RoleAssignment
from config import clock
from network.models import Membership, Tier
from permissions.access import get_visible_or_404
from permissions.selectors import visible_cases


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
        .exclude(review__case__status__in=[CaseStatus.CLOSED, CaseStatus.WITHDRAWN])
        .exclude(task_status__in=TASK_ENDED)
        .select_related("review__case", "agency")
        .order_by("review__case__code", "due_on", "id")
    )
