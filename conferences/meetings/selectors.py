"""Reads of meetings that the API (and the web pages) look one up with: a meeting the
person may see, or 404 exactly as if it did not exist."""

from conferences.models import Meeting
from permissions.access import get_visible_or_404
from permissions.selectors import visible_meetings


def visible_meeting_or_404(user, pk) -> Meeting:
    """The meeting, if the person may see it (`visible_meetings`); 404 otherwise."""
    return get_visible_or_404(
        visible_meetings(user).select_related("network"), pk=pk, user=user, view_perm=None
    )
