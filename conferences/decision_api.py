"""HTTP endpoints for the decisions (決定事項) of representatives' meetings: validate, call
one service or selector, serialize. Whoever sees the meeting reads its decisions
(`permissions.selectors.visible_meetings`, 404 otherwise); its network's coordinators write
them (403 `coordinator_only` for the other readers)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences import decision_services as services
from conferences.decision_serializers import DecisionSerializer, DecisionUpdateSerializer
from conferences.models import Decision, Meeting
from permissions.access import get_visible_or_404, require
from permissions.selectors import coordinates, visible_meetings


def _visible_meeting(request, pk) -> Meeting:
    return get_visible_or_404(
        visible_meetings(request.user).select_related("network"),
        pk=pk,
        user=request.user,
        view_perm=None,
    )


def _coordinating(request, meeting: Meeting) -> None:
    require(coordinates(request.user, meeting.network), code="coordinator_only")


class DecisionList(generics.ListCreateAPIView):
    """A meeting's decisions, in the order they were taken; coordinators record new ones
    (representatives' meetings only, from convening on: 409 otherwise)."""

    serializer_class = DecisionSerializer
    queryset = Decision.objects.none()  # for the schema
    filterset_fields = ["status", "owner_agency"]

    def get_queryset(self):
        meeting = _visible_meeting(self.request, self.kwargs["pk"])
        return meeting.decisions.order_by("id")

    def create(self, request, *args, **kwargs):
        meeting = _visible_meeting(request, kwargs["pk"])
        _coordinating(request, meeting)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_create(
            actor=request.user, meeting=meeting, **serializer.validated_data
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionDetail(APIView):
    """PATCH `{text, due_on, status}`: coordinators of the meeting's network."""

    @extend_schema(request=DecisionUpdateSerializer, responses=DecisionSerializer)
    def patch(self, request, pk):
        decision = get_visible_or_404(
            Decision.objects.filter(meeting__in=visible_meetings(request.user)).select_related(
                "meeting__network"
            ),
            pk=pk,
            user=request.user,
            view_perm=None,
        )
        _coordinating(request, decision.meeting)
        serializer = DecisionUpdateSerializer(decision, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_update(decision=decision, **serializer.validated_data)
        return Response(DecisionSerializer(decision).data)
