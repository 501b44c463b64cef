"""HTTP endpoints of the access audit: the access log of the networks a person audits or
coordinates, and the verification of a network's access chain (API.md "Audit")."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Forbidden
from config.filters import IdFilter
from config.schema import NOT_FOUND
from permissions.access import get_network_to_verify
from permissions.models import AccessRecord
from permissions.selectors import access_chain_verify, visible_access_records
from permissions.serializers import AccessRecordSerializer, ChainReportSerializer


class AccessRecordFilter(filters.FilterSet):
    # Plain numbers: a choice filter over every row would answer 400 for an id that does
    # not exist and 200 for one that does, telling anyone which ids exist elsewhere.
    network = IdFilter()
    person = IdFilter()
    case = IdFilter()
    at_from = filters.DateTimeFilter(field_name="at", lookup_expr="gte")
    at_to = filters.DateTimeFilter(field_name="at", lookup_expr="lt")
    date = filters.DateFilter(field_name="at", lookup_expr="date")

    class Meta:
        model = AccessRecord
        fields = ["network", "person", "case", "date", "at_from", "at_to"]


class AccessRecordList(generics.ListAPIView):
    """The access log of the networks the person audits or coordinates."""

    serializer_class = AccessRecordSerializer
    queryset = AccessRecord.objects.none()  # for the schema
    filterset_class = AccessRecordFilter

    def get_queryset(self):
        records = visible_access_records(self.request.user)
        if records is None:
            raise Forbidden(
                "auditor_or_coordinator_only",
                _("Only a network's auditors and coordinators read its access log."),
            )
        return records.select_related("person")


class AccessChainVerify(APIView):
    """Check a network's access chain end to end, and against its witness where the service
    can read it (auditors only). `?network=` is needed when the person audits more than one
    network."""

    @extend_schema(
        parameters=[OpenApiParameter("network", int, required=False)],
        responses={200: ChainReportSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        network = get_network_to_verify(request.user, request.query_params.get("network"))
        return Response(access_chain_verify(network).as_dict(network.pk))
