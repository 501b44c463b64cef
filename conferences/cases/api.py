"""HTTP endpoints for cases and screening: validate, call one service or selector,
serialize. Who may see a case is `permissions.selectors.case_access`'s to say, who may do
what `permissions.rules`'s (the services ask; a view asks first only to answer 403 before
validating input). The access audit's endpoints are `permissions.api`'s."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.cases import services
from conferences.cases.selectors import visible_case_or_404, with_case_relations
from conferences.cases.serializers import (
    CaseDetailSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    CaseWriteSerializer,
    ReasonSerializer,
)
from conferences.models import Case
from conferences.privacy.serializers import PersonalDataFoundSerializer
from config.filters import IdFilter
from permissions import rules
from permissions.access import require
from permissions.selectors import visible_cases


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


def _detail(read: dict) -> dict:
    """A read service's answer (`services.case_detail_read`) in the response's shape: the
    facts, `content` (null where not shown) and `content_refusal`."""
    data = CaseDetailSerializer(read["case"]).data
    data["content"], data["content_refusal"] = read["content"], read["content_refusal"]
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
        read = services.case_create_and_read(
            author=request.user, network=fields.pop("network"), via="POST /cases/", **fields
        )
        return Response(_detail(read), status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    """One case: facts for whoever may see it, `content` for whoever may read it now (an
    access record is written for every response that carries it). PATCH: the submitting
    agency, drafts only."""

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, pk):
        case = _visible_case(request, pk)
        read = services.case_detail_read(reader=request.user, case=case, via="GET /cases/{id}/")
        return Response(_detail(read))

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def patch(self, request, pk):
        case = _visible_case(request, pk)
        require(rules.may_edit_case(request.user, case), code="not_your_case")  # before 400
        serializer = CaseUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        read = services.case_update_and_read(
            actor=request.user, case=case, via="PATCH /cases/{id}/", **serializer.validated_data
        )
        return Response(_detail(read))


class CaseTransitionView(APIView):
    """POST a transition of one case. Subclasses name the service, and the rule it asks
    (`may`, `refusal`), asked here first only to answer 403 before validating the reason."""

    transition = ""
    may = staticmethod(rules.may_edit_case)
    refusal = "not_your_case"

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    def post(self, request, pk):
        case = _visible_case(request, pk)
        require(self.may(request.user, case), code=self.refusal)
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

    may = staticmethod(rules.may_submit_case)

    def perform(self, request, case, reason):
        services.case_submit(actor=request.user, case=case)


class CaseWithdraw(CaseTransitionView):
    may = staticmethod(rules.may_withdraw_case)

    def perform(self, request, case, reason):
        services.case_withdraw(actor=request.user, case=case, reason=reason)


class CaseClose(CaseTransitionView):
    may = staticmethod(rules.may_close_case)
    refusal = "coordinator_only"

    def perform(self, request, case, reason):
        services.case_close(actor=request.user, case=case, reason=reason)


class CasePurge(CaseTransitionView):
    """Destroy a closed case's data key: content gone for good, facts kept."""

    may = staticmethod(rules.may_purge_case)
    refusal = "coordinator_only"

    def perform(self, request, case, reason):
        services.case_purge(actor=request.user, case=case, reason=reason)
