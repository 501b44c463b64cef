"""Reads of decisions: one decision the person may see (404 otherwise, as for its meeting)."""

from conferences.models import Decision
from permissions.access import get_visible_or_404
from permissions.selectors import visible_meetings


def visible_decision_or_404(user, pk) -> Decision:
    """The decision, if the person sees its meeting (404 otherwise, as for the meeting)."""
    return get_visible_or_404(
        Decision.objects.filter(meeting__in=visible_meetings(user)).select_related(
            "meeting__network"
        ),
        pk=pk,
        user=user,
        view_perm=None,
    )
