"""HTTP endpoints of the role division: reviews, role assignments, answers, finalisation,
progress, history, follow-ups, exports and the load table. Validate, call one service or
selector, serialize. A thing whose case the person may not see is 404; content needs
`case_access(...).content` (or, for a role's own agency, `role_reading`), else 403."""

import copy
from datetime import date

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences import exports
from conferences import review_services as services
from conferences.meeting_serializers import AgendaItemSerializer
from conferences.models import (
    Case,
    ProgressNote,
    Review,
    ReviewChange,
    RoleAssignment,
)
from conferences.review_serializers import (
    AgreeSerializer,
    DeclineSerializer,
    FollowUpsSerializer,
    ProgressSerializer,
    ReviewChangeSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    RoleLoadSerializer,
    RoleSerializer,
)
from conferences.selectors import visible_case_or_404
from config import clock
from config.http import attachment
from config.schema import CONFLICT
from network.models import Network
from permissions.access import get_visible_or_404, require
from permissions.rules import coordinates
from permissions.selectors import (
    case_access,
    role_reading,
    visible_cases,
    visible_meetings,
    visible_networks,
)


def _reviews(user):
    return Review.objects.filter(case__in=visible_cases(user)).select_related(
        "case__network", "case__data_key", "data_key", "meeting"
    )


def _visible_review(request, pk) -> Review:
    return get_visible_or_404(_reviews(request.user), pk=pk, user=request.user, view_perm=None)


def _roles(user):
    return RoleAssignment.objects.filter(review__case__in=visible_cases(user)).select_related(
        "review__case__network", "review__case__data_key", "review__meeting", "data_key", "agency"
    )


def _visible_role(request, pk) -> RoleAssignment:
    return get_visible_or_404(_roles(request.user), pk=pk, user=request.user, view_perm=None)


def _require_content(request, case: Case) -> None:
    services.require_not_purged(case)
    require(case_access(request.user, case).content, code="content_not_readable")


def _unsealed(request, case, objects, fields, audit_as, via) -> list:
    """Copies of `objects` with `fields` unsealed, the reading recorded once."""
    values = services.content_read(
        reader=request.user, case=case, objects=objects, fields=fields, audit_as=audit_as, via=via
    )
    out = []
    for obj, value in zip(objects, values, strict=True):
        shown = copy.copy(obj)
        for name, text in value.items():
            setattr(shown, name, text)
        out.append(shown)
    return out


def _role_context(case: Case) -> dict:
    return {"practitioner_agencies": services.practitioner_agency_ids(case.network_id)}


def _role_data(request, case, roles, via) -> list:
    shown = _unsealed(request, case, roles, ["tasks"], "tasks", via)
    return RoleSerializer(shown, many=True, context=_role_context(case)).data


class _SealedList(generics.GenericAPIView):
    """A paginated list whose page is unsealed (and audited) after paging."""

    def paged(self, request, case, queryset, fields, audit_as, via, serializer, context=None):
        page = self.paginate_queryset(queryset)
        shown = _unsealed(request, case, list(page), fields, audit_as, via)
        return self.get_paginated_response(serializer(shown, many=True, context=context or {}).data)


class CaseReviewList(_SealedList):
    """GET: a case's reviews, the latest first (content readers; audited). POST: a
    coordinator, or an attendee of the held meeting the review belongs to."""

    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # for the schema

    @extend_schema(responses={200: ReviewSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        case = visible_case_or_404(request.user, pk)
        _require_content(request, case)
        reviews = case.reviews.select_related("data_key").order_by("-created_at", "-id")
        with transaction.atomic():
            return self.paged(
                request,
                case,
                reviews,
                services.REVIEW_TEXT_FIELDS,
                "reviews",
                "GET /cases/{id}/reviews/",
                ReviewSerializer,
            )

    @extend_schema(responses={201: ReviewSerializer})
    def post(self, request, pk):
        case = visible_case_or_404(request.user, pk)
        serializer = ReviewSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        meeting = fields.pop("meeting", None)
        require(services.may_write(request.user, case, meeting), code="not_a_review_writer")
        with transaction.atomic():
            review = services.review_create(
                actor=request.user, case=case, meeting=meeting, **fields
            )
            data = _review_out(request, review, "POST /cases/{id}/reviews/")
        return Response(data, status=status.HTTP_201_CREATED)


def _review_out(request, review: Review, via: str) -> dict:
    """The review after a write: its texts only for whoever may read them now (unsealed
    and audited), else null."""
    review = Review.objects.select_related("case__network", "data_key").get(pk=review.pk)
    if case_access(request.user, review.case).content:
        fields = services.REVIEW_TEXT_FIELDS
        return ReviewSerializer(
            _unsealed(request, review.case, [review], fields, "reviews", via)[0]
        ).data
    shown = copy.copy(review)
    for name in services.REVIEW_TEXT_FIELDS:
        setattr(shown, name, None)
    return ReviewSerializer(shown).data


class ReviewDetail(APIView):
    """GET: content readers (audited). PATCH: as POST, until final (409 then)."""

    @extend_schema(responses={200: ReviewSerializer, 409: CONFLICT})
    def get(self, request, pk):
        review = _visible_review(request, pk)
        _require_content(request, review.case)
        with transaction.atomic():
            return Response(_review_out(request, review, "GET /reviews/{id}/"))

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewSerializer)
    def patch(self, request, pk):
        review = _visible_review(request, pk)
        require(
            services.may_write(request.user, review.case, review.meeting),
            code="not_a_review_writer",
        )
        serializer = ReviewUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.review_update(actor=request.user, review=review, **serializer.validated_data)
            return Response(_review_out(request, review, "PATCH /reviews/{id}/"))


class ReviewFinalize(APIView):
    """POST: a coordinator; 409 `review_incomplete` with every unmet rule in `unmet`."""

    @extend_schema(request=None, responses=ReviewSerializer)
    def post(self, request, pk):
        review = _visible_review(request, pk)
        require(coordinates(request.user, review.case.network), code="coordinator_only")
        with transaction.atomic():
            services.review_finalize(actor=request.user, review=review)
            return Response(_review_out(request, review, "POST /reviews/{id}/finalize/"))


class ReviewRoleList(_SealedList):
    """GET: every role for content readers; a role-holding agency's staff see their own
    agency's (tasks always). POST: coordinators, or attendees during the held meeting."""

    serializer_class = RoleSerializer
    queryset = RoleAssignment.objects.none()  # for the schema

    @extend_schema(responses={200: RoleSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        review = _visible_review(request, pk)
        services.require_not_purged(review.case)
        reading = role_reading(request.user, review.case)
        require(reading.all or reading.own_agency is not None, code="content_not_readable")
        roles = review.roles.select_related("agency", "data_key", "review").order_by("id")
        if not reading.all:
            roles = roles.filter(agency_id=reading.own_agency)
        with transaction.atomic():
            return self.paged(
                request,
                review.case,
                roles,
                ["tasks"],
                "tasks",
                "GET /reviews/{id}/roles/",
                RoleSerializer,
                _role_context(review.case),
            )

    @extend_schema(responses={201: RoleSerializer})
    def post(self, request, pk):
        review = _visible_review(request, pk)
        require(
            services.may_write(request.user, review.case, review.meeting),
            code="not_a_review_writer",
        )
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            role = services.role_add(actor=request.user, review=review, **serializer.validated_data)
            data = _role_out(request, role, "POST /reviews/{id}/roles/")
        return Response(data, status=status.HTTP_201_CREATED)


def _role_out(request, role: RoleAssignment, via: str) -> dict:
    """The role after a write or for a read: its tasks only for whoever may read them now
    (unsealed and audited), else null."""
    role = RoleAssignment.objects.select_related(
        "review__case__network", "review__case__data_key", "data_key", "agency"
    ).get(pk=role.pk)
    if services.may_read_role(request.user, role):
        return _role_data(request, role.review.case, [role], via)[0]
    shown = copy.copy(role)
    shown.tasks = None
    return RoleSerializer(shown, context=_role_context(role.review.case)).data


def _require_role_reading(request, role: RoleAssignment) -> None:
    services.require_not_purged(role.review.case)
    require(services.may_read_role(request.user, role), code="content_not_readable")


class RoleDetail(APIView):
    """GET: content readers, and the role's own agency. PATCH, DELETE: as POST, until the
    review is final (409 then)."""

    @extend_schema(responses={200: RoleSerializer, 409: CONFLICT})
    def get(self, request, pk):
        role = _visible_role(request, pk)
        _require_role_reading(request, role)
        with transaction.atomic():
            return Response(_role_out(request, role, "GET /roles/{id}/"))

    @extend_schema(request=RoleSerializer, responses=RoleSerializer)
    def patch(self, request, pk):
        role = _visible_role(request, pk)
        review = role.review
        require(
            services.may_write(request.user, review.case, review.meeting),
            code="not_a_review_writer",
        )
        serializer = RoleSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            role = services.role_update(actor=request.user, role=role, **serializer.validated_data)
            return Response(_role_out(request, role, "PATCH /roles/{id}/"))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        role = _visible_role(request, pk)
        review = role.review
        require(
            services.may_write(request.user, review.case, review.meeting),
            code="not_a_review_writer",
        )
        services.role_remove(actor=request.user, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleAgree(APIView):
    """POST: a designated person of the assigned agency; a coordinator with
    `{on_behalf: true, note}` records an agreement given aloud."""

    @extend_schema(request=AgreeSerializer, responses=RoleSerializer)
    def post(self, request, pk):
        role = _visible_role(request, pk)
        serializer = AgreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        on_behalf = serializer.validated_data["on_behalf"]
        require(
            services.may_answer(request.user, role, on_behalf=on_behalf), code="not_your_agency"
        )
        with transaction.atomic():
            role = services.role_agree(
                actor=request.user,
                role=role,
                on_behalf=on_behalf,
                note=serializer.validated_data["note"],
            )
            return Response(_role_out(request, role, "POST /roles/{id}/agree/"))


class RoleAgencyInvite(APIView):
    """POST: a coordinator invites the role's agency, one outside the network, to the case:
    its staff see the facts from now and the content once the role is agreed."""

    @extend_schema(request=None, responses=RoleSerializer)
    def post(self, request, pk):
        role = _visible_role(request, pk)
        with transaction.atomic():
            role = services.role_agency_invite(actor=request.user, role=role)
            return Response(_role_out(request, role, "POST /roles/{id}/invite/"))


class RoleDecline(APIView):
    """POST `{reason}`: a designated person of the assigned agency (400 without a reason)."""

    @extend_schema(request=DeclineSerializer, responses=RoleSerializer)
    def post(self, request, pk):
        role = _visible_role(request, pk)
        require(services.may_answer(request.user, role), code="not_your_agency")
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            role = services.role_decline(
                actor=request.user, role=role, reason=serializer.validated_data["reason"]
            )
            return Response(_role_out(request, role, "POST /roles/{id}/decline/"))


class RoleProgressList(_SealedList):
    """GET: readers of the role (content readers, its own agency); POST: the role's agency
    and coordinators, once the review is final."""

    serializer_class = ProgressSerializer
    queryset = ProgressNote.objects.none()  # for the schema

    @extend_schema(responses={200: ProgressSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        role = _visible_role(request, pk)
        services.require_not_purged(role.review.case)
        require(services.may_read_progress(request.user, role), code="content_not_readable")
        notes = role.progress_notes.select_related("data_key").order_by("created_at", "id")
        with transaction.atomic():
            return self.paged(
                request,
                role.review.case,
                notes,
                ["note"],
                "progress",
                "GET /roles/{id}/progress/",
                ProgressSerializer,
            )

    @extend_schema(responses={201: ProgressSerializer})
    def post(self, request, pk):
        role = _visible_role(request, pk)
        require(services.may_record_progress(request.user, role), code="not_the_role_holder")
        serializer = ProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            note = services.progress_add(actor=request.user, role=role, **serializer.validated_data)
            shown = _unsealed(
                request,
                role.review.case,
                [note],
                ["note"],
                "progress",
                "POST /roles/{id}/progress/",
            )
            data = ProgressSerializer(shown[0]).data
        return Response(data, status=status.HTTP_201_CREATED)


class ReviewHistory(_SealedList):
    """GET: every change to the review, its assignments and answers, oldest first: who,
    when, from what to what (content readers; audited)."""

    serializer_class = ReviewChangeSerializer
    queryset = ReviewChange.objects.none()  # for the schema

    @extend_schema(responses={200: ReviewChangeSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        review = _visible_review(request, pk)
        _require_content(request, review.case)
        changes = review.changes.select_related("data_key").order_by("at", "id")
        with transaction.atomic():
            page = self.paginate_queryset(changes)
            shown = _unsealed(
                request,
                review.case,
                list(page),
                ["changes"],
                "history",
                "GET /reviews/{id}/history/",
            )
            for row in shown:
                row.changes = services.history_entries([{"changes": row.changes}])[0]
            return self.get_paginated_response(ReviewChangeSerializer(shown, many=True).data)


class RoleDivisionExport(APIView):
    """The role-division table of a review (agencies × functions, with involvement, tasks,
    due dates and answers) as CSV or an Excel workbook. Content readers only (audited)."""

    kind = "csv"

    # The media type (CSV or XLSX) follows the path's suffix: config/schema.py.
    @extend_schema(responses={200: OpenApiTypes.BINARY, 409: CONFLICT})
    def get(self, request, pk):
        review = _visible_review(request, pk)
        _require_content(request, review.case)
        roles = list(review.roles.select_related("agency", "data_key", "agreed_by").order_by("id"))
        with transaction.atomic():
            shown = _unsealed(
                request,
                review.case,
                roles,
                ["tasks"],
                "role_division",
                f"GET /reviews/{{id}}/role-division.{self.kind}",
            )
        name = f"role-division-{review.case.code or review.case_id}-{review.pk}.{self.kind}"
        if self.kind == "csv":
            body, content_type = exports.role_division_csv(review, shown), exports.CSV
        else:
            body, content_type = exports.role_division_xlsx(review, shown), exports.XLSX
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = attachment(name)
        return response


def _visible_network(request, pk) -> Network:
    return get_visible_or_404(
        visible_networks(request.user), pk=pk, user=request.user, view_perm=None
    )


class FollowUpQuery(serializers.Serializer):
    on = serializers.DateField(required=False)
    stalled_days = serializers.IntegerField(required=False, min_value=0, max_value=365, default=7)


class FollowUps(APIView):
    """GET `?on=YYYY-MM-DD&stalled_days=7`: a coordinator's follow-up list — overdue tasks,
    reviews due, answers pending for `stalled_days` or more. Facts only."""

    @extend_schema(
        parameters=[
            OpenApiParameter("on", date, description=str(_("Day to look from (today)."))),
            OpenApiParameter("stalled_days", int, description=str(_("Days pending (7)."))),
        ],
        responses=FollowUpsSerializer,
    )
    def get(self, request, network_pk):
        network = _visible_network(request, network_pk)
        require(coordinates(request.user, network), code="coordinator_only")
        query = FollowUpQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or clock.today()
        found = services.follow_ups(
            network_id=network.pk, on=on, stalled_days=query.validated_data["stalled_days"]
        )
        return Response(FollowUpsSerializer({"on": on, **found}).data)


class RoleLoad(APIView):
    """GET: roles per agency and function in final reviews, open and done (counts only, no
    case content): coordinators and practitioners' agencies. `.csv` gives the same."""

    kind = "json"

    @extend_schema(responses=RoleLoadSerializer(many=True))
    def get(self, request, network_pk):
        network = _visible_network(request, network_pk)
        require(services.may_read_role_load(request.user, network), code="practitioners_only")
        rows = services.role_load(network_id=network.pk)
        data = RoleLoadSerializer(rows, many=True).data
        if self.kind == "csv":
            response = HttpResponse(exports.role_load_csv(data), content_type=exports.CSV)
            response["Content-Disposition"] = attachment(f"role-load-{network.pk}.csv")
            return response
        return Response(data)


class RoleTasksAgendaItem(APIView):
    """POST: a coordinator adds to an open practitioners' meeting an item listing every
    unfinished task of earlier reviews, with its agency and due date (no task text)."""

    @extend_schema(request=None, responses={201: AgendaItemSerializer})
    def post(self, request, pk):
        meeting = get_visible_or_404(
            visible_meetings(request.user).select_related("network"),
            pk=pk,
            user=request.user,
            view_perm=None,
        )
        require(coordinates(request.user, meeting.network), code="coordinator_only")
        item = services.agenda_role_tasks_add(actor=request.user, meeting=meeting)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)
