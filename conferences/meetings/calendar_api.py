"""HTTP endpoints for calendars: one meeting's .ics, the person's feed secret, and the feed.

The feed (`/api/v1/calendar/{token}.ics`) takes no other authentication, because calendar
programs subscribe by address alone: the secret in the address is the credential.
"""

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.meetings import calendars
from conferences.meetings.selectors import visible_meeting_or_404
from config.http import attachment

ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE = {(200, "text/calendar"): OpenApiTypes.BINARY}


def _ics(content: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS)
    if filename:
        response["Content-Disposition"] = attachment(filename)
    return response


class CalendarView(APIView):
    """Calendar programs send `Accept: text/calendar`, which no JSON renderer offers; the
    body is an HttpResponse anyway, and errors fall back to the first (JSON) renderer
    instead of becoming 406."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class MeetingCalendar(CalendarView):
    """GET: the meeting as an RFC 5545 calendar with one event, for whoever may read the
    meeting (404 for anyone else)."""

    @extend_schema(responses=ICS_RESPONSE)
    def get(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        return _ics(calendars.meeting_ical(meeting), filename=f"meeting-{meeting.pk}.ics")


class CalendarTokenStateSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)


class CalendarTokenIssuedSerializer(serializers.Serializer):
    token = serializers.CharField()
    url = serializers.URLField()
    created_at = serializers.DateTimeField()


class CalendarTokenView(APIView):
    """The person's own feed secret. GET says whether one exists and since when (never the
    secret); POST issues a new one, returned this once, and the old address stops working;
    DELETE withdraws it."""

    @extend_schema(request=None, responses=CalendarTokenStateSerializer)
    def get(self, request):
        token = calendars.calendar_token_of(request.user)
        state = {"exists": token is not None, "created_at": token.created_at if token else None}
        return Response(CalendarTokenStateSerializer(state).data)

    @extend_schema(request=None, responses={201: CalendarTokenIssuedSerializer})
    def post(self, request):
        secret = calendars.calendar_token_renew(request.user)
        token = calendars.calendar_token_of(request.user)
        issued = {
            "token": secret,
            "url": request.build_absolute_uri(reverse("calendar-feed", args=[secret])),
            "created_at": token.created_at,
        }
        response = Response(
            CalendarTokenIssuedSerializer(issued).data, status=status.HTTP_201_CREATED
        )
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        calendars.calendar_token_revoke(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonalCalendarFeed(CalendarView):
    """GET: every meeting the token's owner is invited to (drafts excluded). No other
    authentication; an unknown, renewed or revoked token, or an inactive account, is 404."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(auth=[], responses=ICS_RESPONSE)
    def get(self, request, token):
        person = calendars.person_for_calendar_token(token)
        if person is None:
            raise Http404
        response = _ics(calendars.person_feed_ical(person))
        response["Cache-Control"] = "private, no-store"
        return response
