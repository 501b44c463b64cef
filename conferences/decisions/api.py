"""HTTP endpoints for the decisions (決定事項) of representatives' meetings: validate, call
one service or selector, serialize. Whoever sees the meeting reads its decisions
(`permissions.selectors.visible_meetings`, 404 otherwise); whoever
`permissions.rules.may_record_decisions` writes them (403 `coordinator_only` for the other
readers)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.decisions import services
from conferences.decisions.selectors import visible_decision_or_404
from conferences.decisions.serializers import (
    DecisionChangeSerializer,
    DecisionSerializer,
    DecisionUpdateSerializer,
)
from conferences.meetings.selectors import visible_meeting_or_404
from conferences.models import Decision, DecisionChange, Meeting
from permissions.access import require
from permissions.rules import may_record_decisions


def _recording(request, meeting: Meeting) -> None:
    """403 `coordinator_only` before the input is validated (the services ask again)."""
    require(may_record_decisions(request.user, meeting), code="coordinator_only")


class DecisionList(generics.ListCreateAPIView):
    """A meeting's decisions, in the order they were taken; coordinators record new ones
    (representatives' meetings only, from convening on: 409 otherwise)."""

    serializer_class = DecisionSerializer
    queryset = Decision.objects.none()  # for the schema
    filterset_fields = ["status", "owner_agency"]

    def get_queryset(self):
        meeting = visible_meeting_or_404(self.request.user, self.kwargs["pk"])
        return meeting.decisions.order_by("id")

    def create(self, request, *args, **kwargs):
        meeting = visible_meeting_or_404(request.user, kwargs["pk"])
        _recording(request, meeting)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_create(
            actor=request.user, meeting=meeting, **serializer.validated_data
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionDetail(APIView):
    """PATCH `{text, due_on, status}`: coordinators of the meeting's network; each change is
    kept in the decision's history."""

    @extend_schema(request=DecisionUpdateSerializer, responses=DecisionSerializer)
    def patch(self, request, pk):
        decision = visible_decision_or_404(request.user, pk)
        _recording(request, decision.meeting)
        serializer = DecisionUpdateSerializer(decision, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_update(
            actor=request.user, decision=decision, **serializer.validated_data
        )
        return Response(DecisionSerializer(decision).data)


class DecisionHistory(generics.ListAPIView):
    """The changes of a decision, oldest first: whoever sees its meeting reads them."""

    serializer_class = DecisionChangeSerializer
    queryset = DecisionChange.objects.none()  # for the schema

    def get_queryset(self):
        decision = visible_decision_or_404(self.request.user, self.kwargs["pk"])
        return decision.changes.order_by("at", "id")
