"""HTTP endpoints of the screening: the dry run over texts and a network's allowed and
forbidden terms. Validate, call the screening service, serialize."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from conferences.models import ScreeningTerm
from conferences.privacy import services as screening
from conferences.privacy.selectors import screening_terms
from conferences.privacy.serializers import (
    ScreeningTermSerializer,
    ScreenRequestSerializer,
    ScreenResponseSerializer,
)
from config.schema import NOT_FOUND, THROTTLED
from network.models import Network
from permissions import rules
from permissions.access import get_visible_or_404, require

VIEW_NETWORK = "network.view_network"


class CaseScreen(APIView):
    """A dry run of the screening: findings for the texts sent, nothing stored. For those
    who write cases (and coordinators), and throttled: the findings say which terms the
    network forbids, which must not become an oracle for anyone else."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "screen"

    @extend_schema(
        request=ScreenRequestSerializer,
        responses={200: ScreenResponseSerializer, 404: NOT_FOUND, 429: THROTTLED},
    )
    def post(self, request):
        body = ScreenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        network = get_visible_or_404(
            Network.objects.all(),
            pk=body.validated_data["network"],
            user=request.user,
            view_perm=VIEW_NETWORK,
        )
        findings = screening.case_screen(
            network=network, fields=body.validated_data["fields"], actor=request.user
        )
        return Response({"findings": [screening.finding_as_dict(f) for f in findings]})


@extend_schema_view(
    # 200 when the term was already there: adding it again changes nothing.
    post=extend_schema(responses={200: ScreeningTermSerializer, 201: ScreeningTermSerializer})
)
class ScreeningTermList(generics.ListCreateAPIView):
    """A network's allowed terms (accepted false positives, with reasons) or forbidden terms
    (stored as keyed hashes, never listed back in clear). Coordinators only."""

    serializer_class = ScreeningTermSerializer
    queryset = ScreeningTerm.objects.none()  # for the schema
    kind = ScreeningTerm.Kind.ALLOWED

    def network(self) -> Network:
        """404 for a network the person does not see; 403 (before validating a term) unless
        they manage its screening terms."""
        network = get_visible_or_404(
            Network.objects.all(),
            pk=self.kwargs["network_pk"],
            user=self.request.user,
            view_perm=VIEW_NETWORK,
        )
        require(
            rules.may_manage_screening_terms(self.request.user, network), code="permission_denied"
        )
        return network

    def get_queryset(self):
        return screening_terms(self.network(), self.kind)

    def create(self, request, *args, **kwargs):
        network = self.network()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry, created = screening.screening_term_add(
            network=network,
            kind=self.kind,
            term=serializer.validated_data["term"],
            category=serializer.validated_data.get("category", ""),
            reason=serializer.validated_data.get("reason", ""),
            actor=request.user,
        )
        return Response(
            ScreeningTermSerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AllowedTermList(ScreeningTermList):
    kind = ScreeningTerm.Kind.ALLOWED


class ForbiddenTermList(ScreeningTermList):
    kind = ScreeningTerm.Kind.FORBIDDEN
