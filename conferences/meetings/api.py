"""HTTP endpoints for meetings, invitations and agendas: validate, call one service or
selector, serialize. Who sees a meeting is `permissions.selectors.visible_meetings`'s; who
runs it or answers an invitation, `permissions.rules`' (asked by the services; the views
ask first where 403 must come before 400)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.cases.serializers import ReasonSerializer
from conferences.meetings import services
from conferences.meetings.selectors import visible_invitation_or_404, visible_meeting_or_404
from conferences.meetings.serializers import (
    AgendaItemSerializer,
    InvitationSerializer,
    MeetingSerializer,
    MeetingUpdateSerializer,
)
from conferences.models import AgendaItem, Invitation, Meeting
from config.filters import IdFilter
from permissions.access import get_visible_or_404, require
from permissions.rules import may_answer_invitation, may_run_meetings
from permissions.selectors import visible_meetings


def _running(request, meeting: Meeting) -> None:
    """403 `coordinator_only` before the input is validated (the services ask again)."""
    require(may_run_meetings(request.user, meeting.network), code="coordinator_only")


def _meetings(user):
    return visible_meetings(user).prefetch_related("invited_agencies")


class MeetingFilter(filters.FilterSet):
    network = IdFilter()  # plain number: an id's existence is nobody's business

    class Meta:
        model = Meeting
        fields = ["network", "status", "kind", "tier", "fiscal_year"]


class MeetingListCreate(generics.ListCreateAPIView):
    """Meetings the person may see; coordinators create drafts."""

    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()  # for the schema
    filterset_class = MeetingFilter

    def get_queryset(self):
        return _meetings(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        network = fields.pop("network")
        meeting = services.meeting_create(actor=request.user, network=network, **fields)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetail(APIView):
    """One meeting. PATCH: coordinators; anything in a draft, only time and place once
    convened (409 otherwise)."""

    @extend_schema(responses=MeetingSerializer)
    def get(self, request, pk):
        return Response(MeetingSerializer(visible_meeting_or_404(request.user, pk)).data)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingSerializer)
    def patch(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        _running(request, meeting)
        serializer = MeetingUpdateSerializer(
            meeting, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_update(
            actor=request.user, meeting=meeting, **serializer.validated_data
        )
        return Response(MeetingSerializer(meeting).data)


class MeetingTransitionView(APIView):
    """POST a transition (coordinators). Subclasses' `perform` calls the one service."""

    @extend_schema(request=ReasonSerializer, responses=MeetingSerializer)
    def post(self, request, pk):
        meeting = visible_meeting_or_404(request.user, pk)
        _running(request, meeting)
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        meeting = self.perform(request, meeting, reason.validated_data.get("reason", ""))
        return Response(MeetingSerializer(meeting).data)


class MeetingConvene(MeetingTransitionView):
    def perform(self, request, meeting, reason):
        return services.meeting_convene(actor=request.user, meeting=meeting)


class MeetingHold(MeetingTransitionView):
    def perform(self, request, meeting, reason):
        return services.meeting_hold(actor=request.user, meeting=meeting)


class MeetingClose(MeetingTransitionView):
    def perform(self, request, meeting, reason):
        return services.meeting_close(actor=request.user, meeting=meeting)


class MeetingCancel(MeetingTransitionView):
    def perform(self, request, meeting, reason):
        return services.meeting_cancel(actor=request.user, meeting=meeting, reason=reason)


class InvitationList(generics.ListAPIView):
    """Who is invited to a meeting the person may see, and their answers."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # for the schema
    filterset_fields = ["response", "agency"]

    def get_queryset(self):
        meeting = visible_meeting_or_404(self.request.user, self.kwargs["pk"])
        return meeting.invitations.select_related("person", "agency")


class InvitationAnswer(APIView):
    """PATCH `{response}`: a person answers their own invitation (403 for anyone else's)."""

    @extend_schema(request=InvitationSerializer, responses=InvitationSerializer)
    def patch(self, request, pk):
        invitation = visible_invitation_or_404(request.user, pk)
        require(may_answer_invitation(request.user, invitation), code="not_your_invitation")
        serializer = InvitationSerializer(invitation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_answer(
            person=request.user,
            invitation=invitation,
            response=serializer.validated_data.get("response", invitation.response),
        )
        return Response(InvitationSerializer(invitation).data)


class AgendaItemList(generics.ListCreateAPIView):
    """A meeting's agenda, in order; coordinators add topics and case reviews."""

    serializer_class = AgendaItemSerializer
    queryset = AgendaItem.objects.none()  # for the schema

    def get_queryset(self):
        meeting = visible_meeting_or_404(self.request.user, self.kwargs["pk"])
        return meeting.agenda_items.select_related("case").order_by("order", "id")

    def create(self, request, *args, **kwargs):
        meeting = visible_meeting_or_404(request.user, kwargs["pk"])
        _running(request, meeting)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            kind=data["kind"],
            title=data.get("title", ""),
            case=data.get("case"),
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class AgendaItemDetail(APIView):
    """PATCH `{order}` moves an item; DELETE removes it (a case goes back where it was)."""

    def _item(self, request, pk) -> AgendaItem:
        item = get_visible_or_404(
            AgendaItem.objects.filter(meeting__in=visible_meetings(request.user)).select_related(
                "meeting__network", "case"
            ),
            pk=pk,
            user=request.user,
            view_perm=None,
        )
        _running(request, item.meeting)
        return item

    @extend_schema(
        # Only the position changes: the other fields of an item are validated, not applied.
        request=inline_serializer(
            "AgendaItemMove",
            {"order": serializers.IntegerField(min_value=0, max_value=2147483647)},
        ),
        responses=AgendaItemSerializer,
    )
    def patch(self, request, pk):
        item = self._item(request, pk)
        serializer = AgendaItemSerializer(
            item, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        if "order" in serializer.validated_data:
            item = services.agenda_item_move(
                actor=request.user, item=item, order=serializer.validated_data["order"]
            )
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.agenda_item_remove(actor=request.user, item=self._item(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
