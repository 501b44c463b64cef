"""Web pages of meetings: the meetings I may see with my answer, one meeting (its agenda,
my answer, and for a practitioners' meeting the content of its cases while its window is
open), and my personal calendar feed.

Each page looks things up through `selectors` (404 for what the person may not see), calls
the same services as the API (`services.invitation_answer`, `calendars.calendar_token_*`,
and `services.agenda_cases_read`, which reads case content through the audited path) and
renders; the rules are `permissions.rules`'."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from conferences.cases.forms import NARRATIVE_LABELS
from conferences.meetings import calendars, selectors, services
from conferences.meetings.forms import AnswerForm, FeedForm
from conferences.models import Invitation
from config import clock
from permissions import rules
from permissions.access import require
from web.access import page

# The `date` filter's format for a moment (ja: 2026年12月10日 14:00).
WHEN_FORMAT = _("N j, Y, H:i")
PAST_PER_PAGE = 20
# How the access record names this page (`via`).
DETAIL_VIA = "page /meetings/{id}/"
ANSWERS = dict(Invitation.Response.choices)


def _with_answer_labels(meetings) -> list:
    meetings = list(meetings)
    for meeting in meetings:
        meeting.my_response_display = ANSWERS.get(meeting.my_response, "")
    return meetings


@page
def meeting_list(request):
    """The meetings the person may see (the API's list): those not yet over, the soonest
    first, then past ones, the latest first (paged), each with their own answer."""
    now = clock.now()
    past = Paginator(selectors.past_meetings(request.user, now), PAST_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "upcoming": _with_answer_labels(selectors.upcoming_meetings(request.user, now)),
        "past": _with_answer_labels(past.object_list),
        "past_page": past,
        "when_format": WHEN_FORMAT,
    }
    return TemplateResponse(request, "meetings/list.html", context)


def _answer_context(user, meeting, invitation, form=None) -> dict:
    """The answer region: the person's invitation to the meeting (the one the answer's POST
    would answer), and `may_answer` exactly when that POST would be let through
    (`rules.may_answer_invitation` and `services.answers_open`)."""
    answers_open = services.answers_open(meeting)
    return {
        "meeting": meeting,
        "invitation": invitation,
        "answers_open": answers_open,
        "may_answer": invitation is not None
        and answers_open
        and rules.may_answer_invitation(user, invitation),
        "answer_form": form,
    }


def _agenda(request, meeting):
    """The agenda's items with what the page shows of each case, and the service's reading
    of the agenda's cases (`services.agenda_cases_read`: the window and whether content was
    shown)."""
    items = list(selectors.agenda_for(request.user, meeting))
    reading = services.agenda_cases_read(
        reader=request.user,
        meeting=meeting,
        items=items,
        via=DETAIL_VIA.format(id=meeting.pk),
    )
    agenda = []
    for item in items:
        case = reading.cases.get(item.case_id) if item.case_id else None
        content = (case or {}).get("content")
        agenda.append(
            {
                "item": item,
                "read": case is not None,
                "content": [
                    (label, content.get(name, "")) for name, label in NARRATIVE_LABELS.items()
                ]
                if content
                else None,
                "content_refusal": (case or {}).get("content_refusal"),
            }
        )
    return agenda, reading, any(item.case_id for item in items)


def _detail(request, meeting, *, form=None, status=200):
    invitation = selectors.invitation_of(request.user, meeting)
    agenda, reading, has_cases = _agenda(request, meeting)
    context = {
        **_answer_context(request.user, meeting, invitation, form),
        "agenda": agenda,
        "has_cases": has_cases and reading.window_end is not None,
        "reading": reading,
        "calendar_url": reverse("meeting-calendar", args=[meeting.pk]),
        "when_format": WHEN_FORMAT,
    }
    return TemplateResponse(request, "meetings/detail.html", context, status=status)


@page
def meeting_detail(request, pk):
    """One meeting the person may see (404 otherwise): time, place, online link, the
    calendar file, the agenda in order, their answer if invited, and for a practitioners'
    meeting the content of its cases while the meeting's content window is open (each
    reading recorded); after it, the case codes only."""
    return _detail(request, selectors.visible_meeting_or_404(request.user, pk))


@page
@require_POST
def invitation_answer(request, pk):
    """Answer an invitation (the API's PATCH /invitations/{id}/): 404 unless it is to a
    meeting the person sees, 403 unless it is theirs, 409 once the meeting has taken place.
    htmx gets the answer region back; without JavaScript, the meeting page again."""
    invitation = selectors.visible_invitation_or_404(request.user, pk)
    require(rules.may_answer_invitation(request.user, invitation), code="not_your_invitation")
    meeting = selectors.visible_meeting_or_404(request.user, invitation.meeting_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return TemplateResponse(
                request,
                "meetings/_answer.html",
                _answer_context(request.user, meeting, invitation, form),
                status=400,
            )
        return _detail(request, meeting, form=form, status=400)
    invitation = services.invitation_answer(
        person=request.user, invitation=invitation, response=form.cleaned_data["response"]
    )
    if request.htmx:
        return TemplateResponse(
            request, "meetings/_answer.html", _answer_context(request.user, meeting, invitation)
        )
    messages.success(
        request,
        _("Your answer is recorded: %(answer)s.") % {"answer": invitation.get_response_display()},
    )
    return redirect("meetings:detail", pk=meeting.pk)


@page
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """The person's own calendar feed (the API's /me/calendar-token/): whether it exists and
    since when; renewing issues a new address, shown on this response only (only a digest
    is kept) while the old address stops working; revoking withdraws it."""
    address = None
    status = 200
    form = FeedForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif form.cleaned_data["action"] == FeedForm.RENEW:
            secret = calendars.calendar_token_renew(request.user)
            address = request.build_absolute_uri(reverse("calendar-feed", args=[secret]))
        else:
            calendars.calendar_token_revoke(request.user)
            messages.success(request, _("Your calendar feed is revoked."))
            return redirect("meetings:feed")
    context = {
        "token": calendars.calendar_token_of(request.user),
        "address": address,
        "form": form,
        "when_format": WHEN_FORMAT,
    }
    return TemplateResponse(request, "meetings/feed.html", context, status=status)
