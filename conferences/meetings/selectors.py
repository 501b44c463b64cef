"""Reads of meetings that the API and the web pages look one up with (a meeting the person
may see, or 404 exactly as if it did not exist), and the pages' lists: the meetings a person
sees with their own answer, and a meeting's agenda with what the person sees of each case."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from conferences.models import AgendaItem, Invitation, Meeting
from permissions.access import get_visible_or_404
from permissions.selectors import standing_invitations, visible_cases, visible_meetings


def visible_meeting_or_404(user, pk) -> Meeting:
    """The meeting, if the person may see it (`visible_meetings`); 404 otherwise."""
    return get_visible_or_404(
        visible_meetings(user).select_related("network"), pk=pk, user=user, view_perm=None
    )


def meetings_with_my_answer(user) -> QuerySet[Meeting]:
    """The meetings the person may see (`visible_meetings`, the API's list), each annotated
    with `my_response`: the answer of their standing invitation to it, or None (not
    invited). One query, whatever the number of meetings."""
    mine = standing_invitations().filter(meeting=OuterRef("pk"), person=user)
    return visible_meetings(user).annotate(my_response=Subquery(mine.values("response")[:1]))


def upcoming_meetings(user, now) -> QuerySet[Meeting]:
    """`meetings_with_my_answer` not yet over at `now`, the soonest first."""
    return meetings_with_my_answer(user).filter(ends_at__gt=now).order_by("starts_at", "id")


def past_meetings(user, now) -> QuerySet[Meeting]:
    """`meetings_with_my_answer` over by `now`, the latest first."""
    return meetings_with_my_answer(user).filter(ends_at__lte=now).order_by("-starts_at", "-id")


def visible_invitation_or_404(user, pk) -> Invitation:
    """An invitation to a meeting the person may see (anyone's: whether they may answer it
    is `rules.may_answer_invitation`'s to say, 403); 404 otherwise."""
    return get_visible_or_404(
        Invitation.objects.filter(meeting__in=visible_meetings(user)).select_related(
            "person", "agency"
        ),
        pk=pk,
        user=user,
        view_perm=None,
    )


def invitation_of(user, meeting) -> Invitation | None:
    """The person's invitation to the meeting (one at most), standing or lapsed: the one
    the answer's POST would answer (whether they may is `rules.may_answer_invitation`'s to
    say), or None."""
    return Invitation.objects.filter(meeting=meeting, person=user).first()


def agenda_for(user, meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda in order, each case review with its case (and what unsealing it
    needs) and `case_visible`: whether the person sees that case's facts
    (`visible_cases`). One query."""
    visible = visible_cases(user).filter(pk=OuterRef("case_id"))
    return (
        meeting.agenda_items.select_related("case__network", "case__data_key")
        .annotate(case_visible=Exists(visible))
        .order_by("order", "id")
    )
