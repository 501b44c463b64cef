"""Reads of minutes: the comments on a meeting's minutes (still sealed; a response gets
them only through `minutes_services.minutes_comments_read`)."""

from conferences.models import Meeting, MinutesComment


def minutes_comments(meeting: Meeting):
    """The comments on the meeting's minutes, oldest first, still sealed: a response gets
    them only through `minutes_comments_read`."""
    return (
        MinutesComment.objects.filter(minutes__meeting=meeting)
        .select_related("minutes__meeting", "minutes__data_key")
        .order_by("created_at", "id")
    )
