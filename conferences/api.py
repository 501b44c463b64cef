"""HTTP endpoints for cases, screening and the access audit: validate, call one service
or selector, serialize. Who may see a case is `permissions.selectors.case_access`'s to say."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from conferences import screening, services
from conferences.models import Case, ScreeningTerm
from conferences.selectors import visible_case_or_404, with_case_relations
from conferences.serializers import (
    CONTENT_REFUSAL_OTP,
    AccessRecordSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    CaseWriteSerializer,
    ChainReportSerializer,
    PersonalDataFoundSerializer,
    ReasonSerializer,
    ScreeningTermSerializer,
    ScreenRequestSerializer,
    ScreenResponseSerializer,
)
from config.errors import Forbidden
from config.filters import IdFilter
from config.schema import NOT_FOUND, THROTTLED
from network.models import Network
from permissions.access import (
    get_for_action,
    get_network_to_verify,
    get_visible_or_404,
    require,
    require_perm,
)
from permissions.models import AccessRecord
from permissions.rules import second_factor_satisfied
from permissions.selectors import (
    access_chain_verify,
    case_access,
    case_permission,
    visible_access_records,
    visible_cases,
)

VIEW_NETWORK = "network.view_network"
COORDINATE = "network.coordinate_network"


def _cases():
    return with_case_relations(Case.objects.all())


class CaseFilter(filters.FilterSet):
    # Plain numbers: a choice filter over every row would answer 400 for an id that does
    # not exist and 200 for one that does, telling anyone which ids exist elsewhere.
    network = IdFilter()
    submitting_agency = IdFilter()

    class Meta:
        model = Case
        fields = [
            "network",
            "status",
            "consent_basis",
            "submitting_agency",
            "age_band",
            "gender",
            "household",
            "withdrawal_duration",
            "fiscal_year",
            "code",
        ]


def _visible_case(request, pk) -> Case:
    return visible_case_or_404(request.user, pk)


def _detail(request, case: Case, *, via: str) -> dict:
    """Facts, and content where the reader may read it (unsealed and audited together).
    A reader the network's second-factor rule turns away gets `content: null` with
    `content_refusal: "otp_required"`, so a client can ask them to sign in again."""
    data = CaseDetailSerializer(case).data
    data["content"] = data["content_refusal"] = None
    if case_access(request.user, case).content:
        if not second_factor_satisfied(request.user, case.network):
            data["content_refusal"] = CONTENT_REFUSAL_OTP
        else:
            data["content"] = services.case_content_read(reader=request.user, case=case, via=via)
    return data


@extend_schema_view(
    post=extend_schema(request=CaseWriteSerializer, responses={201: CaseDetailSerializer})
)
class CaseListCreate(generics.ListCreateAPIView):
    """Cases the person may see (facts only, never narratives); agencies of a network's
    practitioners' tier start drafts."""

    serializer_class = CaseSerializer
    queryset = Case.objects.none()  # for the schema
    filterset_class = CaseFilter

    def get_queryset(self):
        return with_case_relations(visible_cases(self.request.user))

    def create(self, request, *args, **kwargs):
        # Networks the person cannot see are "does not exist" here, like absent ones.
        serializer = CaseWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        network = fields.pop("network")
        require(
            case_permission(request.user, "conferences.add_case", network),
            code="not_a_submitting_agency",
        )
        with transaction.atomic():
            case = services.case_create(author=request.user, network=network, **fields)
            data = _detail(request, _cases().get(pk=case.pk), via="POST /cases/")
        return Response(data, status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    """One case: facts for whoever may see it, `content` for whoever may read it now (an
    access record is written for every response that carries it). PATCH: the submitting
    agency, drafts only."""

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, pk):
        case = _visible_case(request, pk)
        with transaction.atomic():
            return Response(_detail(request, case, via="GET /cases/{id}/"))

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def patch(self, request, pk):
        case = _visible_case(request, pk)
        require(
            case_permission(request.user, "conferences.change_case", case), code="not_your_case"
        )
        serializer = CaseUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.case_update(actor=request.user, case=case, **serializer.validated_data)
            data = _detail(request, _cases().get(pk=case.pk), via="PATCH /cases/{id}/")
        return Response(data)


class CaseTransitionView(APIView):
    """POST a transition of one case. Subclasses name the service and who may call it."""

    transition = ""
    coordinator_only = False

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    def post(self, request, pk):
        case = _visible_case(request, pk)
        if self.coordinator_only:
            require_perm(request.user, COORDINATE, case.network, code="coordinator_only")
        else:
            require(
                case_permission(request.user, "conferences.change_case", case),
                code="not_your_case",
            )
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        # Each subclass's `perform(request, case, reason)` calls its one service.
        self.perform(request, case, reason.validated_data.get("reason", ""))
        return Response(CaseSerializer(_cases().get(pk=case.pk)).data)


@extend_schema_view(
    post=extend_schema(responses={200: CaseSerializer, 422: PersonalDataFoundSerializer})
)
class CaseSubmit(CaseTransitionView):
    """Screen and submit a draft: 200, or 422 `{"code": "personal_data", "findings": […]}`."""

    def perform(self, request, case, reason):
        services.case_submit(actor=request.user, case=case)


class CaseWithdraw(CaseTransitionView):
    def perform(self, request, case, reason):
        services.case_withdraw(actor=request.user, case=case, reason=reason)


class CaseClose(CaseTransitionView):
    coordinator_only = True

    def perform(self, request, case, reason):
        services.case_close(actor=request.user, case=case, reason=reason)


class CasePurge(CaseTransitionView):
    """Destroy a closed case's data key: content gone for good, facts kept."""

    coordinator_only = True

    def perform(self, request, case, reason):
        services.case_purge(actor=request.user, case=case, reason=reason)


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
        require(
            case_permission(request.user, "conferences.add_case", network)
            or case_permission(request.user, COORDINATE, network),
            code="not_a_submitting_agency",
        )
        findings = screening.case_screen(network=network, fields=body.validated_data["fields"])
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
        return get_for_action(
            Network.objects.all(),
            pk=self.kwargs["network_pk"],
            user=self.request.user,
            view_perm=VIEW_NETWORK,
            action_perm=COORDINATE,
        )

    def get_queryset(self):
        return ScreeningTerm.objects.filter(network=self.network(), kind=self.kind)

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


class AccessRecordFilter(filters.FilterSet):
    network = IdFilter()  # plain numbers: see CaseFilter
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
        return records.select_related("person", "case")


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
