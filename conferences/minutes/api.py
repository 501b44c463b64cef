"""HTTP endpoints for a meeting's minutes, the comments on them, and attendance."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.meetings.selectors import visible_meeting_or_404
from conferences.minutes import services
from conferences.minutes.serializers import (
    AmendmentSerializer,
    AttendanceEntrySerializer,
    AttendanceSerializer,
    MinutesBodySerializer,
    MinutesCommentSerializer,
    MinutesSerializer,
)
from conferences.models import MinutesComment
from permissions.access import require
from permissions.rules import (
    may_comment_on_minutes,
    may_read_minutes,
    may_record_attendance,
    may_write_minutes,
)


class MinutesView(APIView):
    """GET: who may read the meeting (case-content rules for practitioners' meetings, and
    audited); PUT `{body}`: coordinators, until approved (409 then)."""

    @extend_schema(responses=MinutesSerializer)
    def get(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        data = services.minutes_read(
            reader=request.user, meeting=meeting, via="GET /meetings/{id}/minutes/"
        )
        return Response(MinutesSerializer(data).data)

    @extend_schema(request=MinutesBodySerializer, responses=MinutesSerializer)
    def put(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        require(may_write_minutes(request.user, meeting), code="coordinator_only")
        body = MinutesBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # One transaction with the reading: a response refused (the second factor) leaves
        # nothing written.
        data = services.minutes_save_and_read(
            actor=request.user,
            meeting=meeting,
            body=body.validated_data["body"],
            via="PUT /meetings/{id}/minutes/",
        )
        return Response(MinutesSerializer(data).data)


class MinutesStep(APIView):
    """POST circulate / approve (coordinators)."""

    step = ""

    @extend_schema(request=None, responses=MinutesSerializer)
    def post(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        step = (
            services.minutes_circulate_and_read
            if self.step == "circulate"
            else services.minutes_approve_and_read
        )
        data = step(
            actor=request.user, meeting=meeting, via=f"POST /meetings/{{id}}/minutes/{self.step}/"
        )
        return Response(MinutesSerializer(data).data)


class MinutesAmend(APIView):
    """POST `{body, note}`: an amendment to approved minutes (coordinators)."""

    @extend_schema(request=AmendmentSerializer, responses={201: MinutesSerializer})
    def post(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        require(may_write_minutes(request.user, meeting), code="coordinator_only")
        body = AmendmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = services.minutes_amend_and_read(
            actor=request.user,
            meeting=meeting,
            via="POST /meetings/{id}/minutes/amendments/",
            **body.validated_data,
        )
        return Response(MinutesSerializer(data).data, status=201)


class MinutesCommentList(GenericAPIView):
    """GET: whoever may read the minutes (the same rules, audited alike), oldest first;
    POST `{body}`: invitees and coordinators who may read them, while circulated (409
    `minutes_not_circulated` otherwise)."""

    serializer_class = MinutesCommentSerializer
    queryset = MinutesComment.objects.none()  # for the schema

    @extend_schema(responses=MinutesCommentSerializer(many=True))
    def get(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        rows = services.minutes_comments_read(
            reader=request.user,
            meeting=meeting,
            via="GET /meetings/{id}/minutes/comments/",
            page=self.paginate_queryset,
        )
        return self.get_paginated_response(MinutesCommentSerializer(rows, many=True).data)

    @extend_schema(request=MinutesCommentSerializer, responses={201: MinutesCommentSerializer})
    def post(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        # 403 before the body is validated (the services ask the same again).
        require(may_read_minutes(request.user, meeting), code="minutes_not_readable")
        require(may_comment_on_minutes(request.user, meeting), code="not_invited")
        body = MinutesCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.minutes_comment_add_and_read(
            author=request.user,
            meeting=meeting,
            body=body.validated_data["body"],
            via="POST /meetings/{id}/minutes/comments/",
        )
        return Response(MinutesCommentSerializer(row).data, status=201)


class AttendanceView(APIView):
    """GET: whoever sees the meeting; PUT a list of `{person, status, substitute_for}`:
    coordinators, once the meeting is held; replaces the whole record."""

    @extend_schema(responses=AttendanceSerializer(many=True))
    def get(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        rows = meeting.attendance.select_related("person", "agency")
        return Response(AttendanceSerializer(rows, many=True).data)

    @extend_schema(
        request=AttendanceEntrySerializer(many=True), responses=AttendanceSerializer(many=True)
    )
    def put(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        require(may_record_attendance(request.user, meeting), code="coordinator_only")
        entries = AttendanceEntrySerializer(data=request.data, many=True)
        entries.is_valid(raise_exception=True)
        rows = services.attendance_record(
            actor=request.user, meeting=meeting, entries=entries.validated_data
        )
        return Response(AttendanceSerializer(rows, many=True).data)
