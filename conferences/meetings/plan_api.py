"""HTTP endpoint for a network's yearly meeting plan: `GET, PUT /networks/{id}/plans/`.
Whoever sees the network reads it (404 otherwise); whoever `permissions.rules.may_set_plans`
sets the targets (403 `coordinator_only` for the other readers, platform admins included)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.meetings import plans as services
from conferences.models import MeetingKind
from config import clock
from network.fiscal import fiscal_year_label, fiscal_year_of
from network.models import Network
from permissions.access import get_visible_or_404, require
from permissions.rules import may_set_plans

VIEW = "network.view_network"

# Fiscal years the API accepts: from Heisei 1 on, and far enough ahead.
FISCAL_YEAR_MIN, FISCAL_YEAR_MAX = 1989, 2200


def _fiscal_year_field():
    return serializers.IntegerField(
        required=False, min_value=FISCAL_YEAR_MIN, max_value=FISCAL_YEAR_MAX
    )


class FiscalYearQuerySerializer(serializers.Serializer):
    fiscal_year = _fiscal_year_field()


class MeetingPlanUpdateSerializer(serializers.Serializer):
    """`{"fiscal_year": 2026, "targets": {"case_conference": 4, ...}}`. The kinds not named
    keep their targets; the fiscal year defaults to the query's, then the current one."""

    fiscal_year = _fiscal_year_field()
    targets = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=services.TARGET_MAX)
    )

    def validate_targets(self, targets: dict) -> dict:
        errors = {
            kind: [_("“%(kind)s” is not a kind of meeting.") % {"kind": kind}]
            for kind in targets
            if kind not in MeetingKind.values
        }
        if errors:
            raise serializers.ValidationError(errors)
        return targets


class KindPlanSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.SerializerMethodField()
    target = serializers.IntegerField()
    held = serializers.IntegerField()

    def get_kind_display(self, row) -> str:
        return str(MeetingKind(row.kind).label)


class MeetingPlanSummarySerializer(serializers.Serializer):
    network = serializers.IntegerField(source="network.pk")
    fiscal_year = serializers.IntegerField()
    label = serializers.SerializerMethodField()
    kinds = KindPlanSerializer(many=True)

    def get_label(self, summary) -> str:
        return fiscal_year_label(summary.fiscal_year)


class MeetingPlanView(APIView):
    """Target and held count per kind of meeting for `?fiscal_year=` (default: the current
    fiscal year); PUT sets targets."""

    def _network(self, request, network_pk, *, write: bool) -> Network:
        network = get_visible_or_404(
            Network.objects.all(), pk=network_pk, user=request.user, view_perm=VIEW
        )
        if write:
            # 403 before the input is validated; the service asks again.
            require(may_set_plans(request.user, network), code="coordinator_only")
        return network

    def _query_fiscal_year(self, request) -> int:
        query = FiscalYearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("fiscal_year") or fiscal_year_of(clock.today())

    @extend_schema(
        parameters=[OpenApiParameter("fiscal_year", int, required=False)],
        responses=MeetingPlanSummarySerializer,
    )
    def get(self, request, network_pk):
        network = self._network(request, network_pk, write=False)
        summary = services.meeting_plan_summary(network, self._query_fiscal_year(request))
        return Response(MeetingPlanSummarySerializer(summary).data)

    @extend_schema(request=MeetingPlanUpdateSerializer, responses=MeetingPlanSummarySerializer)
    def put(self, request, network_pk):
        network = self._network(request, network_pk, write=True)
        serializer = MeetingPlanUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fiscal_year = data.get("fiscal_year") or self._query_fiscal_year(request)
        summary = services.meeting_plan_set(
            actor=request.user, network=network, fiscal_year=fiscal_year, targets=data["targets"]
        )
        return Response(MeetingPlanSummarySerializer(summary).data)
