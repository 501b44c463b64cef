"""HTTP endpoints of the role division: reviews, role assignments, answers, finalisation,
progress, history, follow-ups, exports and the load table. Validate, call one service,
serialize. A thing whose case the person may not see is 404; the read services
(`review_services.review_read`, `roles_read`, ...) check the reader with `permissions.rules`,
unseal and record the reading; writes whose answer carries content are one service call
(`..._and_read`) so that a reading refused leaves nothing written."""

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conferences.cases.selectors import visible_case_or_404
from conferences.meetings.selectors import visible_meeting_or_404
from conferences.meetings.serializers import AgendaItemSerializer
from conferences.models import (
    ProgressNote,
    Review,
    ReviewChange,
    RoleAssignment,
)
from conferences.reviews import exports, services
from conferences.reviews.selectors import (
    practitioner_agency_ids,
    visible_review_or_404,
    visible_role_or_404,
)
from conferences.reviews.serializers import (
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
from config import clock
from config.http import attachment
from config.schema import CONFLICT
from network.models import Network
from permissions import rules
from permissions.access import get_visible_or_404, require
from permissions.selectors import visible_networks


def _role_context(review: Review) -> dict:
    return {"practitioner_agencies": practitioner_agency_ids(review.case.network_id)}


def _role_data(role: RoleAssignment) -> dict:
    return RoleSerializer(role, context=_role_context(role.review)).data


class _PagedList(generics.GenericAPIView):
    """A paginated list whose page a read service unseals (and audits) after paging."""

    def paged(self, rows, serializer, context=None):
        return self.get_paginated_response(serializer(rows, many=True, context=context or {}).data)


class CaseReviewList(_PagedList):
    """GET: a case's reviews, the latest first (content readers; audited). POST: a
    coordinator, or an attendee of the held meeting the review belongs to."""

    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # for the schema

    @extend_schema(responses={200: ReviewSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        case = visible_case_or_404(request.user, pk)
        reviews = services.reviews_read(
            reader=request.user,
            case=case,
            via="GET /cases/{id}/reviews/",
            page=self.paginate_queryset,
        )
        return self.paged(reviews, ReviewSerializer)

    @extend_schema(responses={201: ReviewSerializer})
    def post(self, request, pk):
        case = visible_case_or_404(request.user, pk)
        serializer = ReviewSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        meeting = fields.pop("meeting", None)
        require(rules.may_write_review(request.user, case, meeting), code="not_a_review_writer")
        review = services.review_create_and_read(
            actor=request.user,
            case=case,
            meeting=meeting,
            via="POST /cases/{id}/reviews/",
            **fields,
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewDetail(APIView):
    """GET: content readers (audited). PATCH: as POST, until final (409 then)."""

    @extend_schema(responses={200: ReviewSerializer, 409: CONFLICT})
    def get(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        shown = services.review_read(reader=request.user, review=review, via="GET /reviews/{id}/")
        return Response(ReviewSerializer(shown).data)

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewSerializer)
    def patch(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        # 403 before the input is validated.
        require(
            rules.may_write_review(request.user, review.case, review.meeting),
            code="not_a_review_writer",
        )
        serializer = ReviewUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        shown = services.review_update_and_read(
            actor=request.user,
            review=review,
            via="PATCH /reviews/{id}/",
            **serializer.validated_data,
        )
        return Response(ReviewSerializer(shown).data)


class ReviewFinalize(APIView):
    """POST: a coordinator; 409 `review_incomplete` with every unmet rule in `unmet`."""

    @extend_schema(request=None, responses=ReviewSerializer)
    def post(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        require(rules.may_finalize_review(request.user, review), code="coordinator_only")
        shown = services.review_finalize_and_read(
            actor=request.user, review=review, via="POST /reviews/{id}/finalize/"
        )
        return Response(ReviewSerializer(shown).data)


class ReviewRoleList(_PagedList):
    """GET: every role for content readers; a role-holding agency's staff see their own
    agency's (tasks always). POST: coordinators, or attendees during the held meeting."""

    serializer_class = RoleSerializer
    queryset = RoleAssignment.objects.none()  # for the schema

    @extend_schema(responses={200: RoleSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        roles = services.roles_read(
            reader=request.user,
            review=review,
            via="GET /reviews/{id}/roles/",
            page=self.paginate_queryset,
        )
        return self.paged(roles, RoleSerializer, _role_context(review))

    @extend_schema(responses={201: RoleSerializer})
    def post(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        # 403 before the input is validated.
        require(rules.may_assign_roles(request.user, review), code="not_a_review_writer")
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = services.role_add_and_read(
            actor=request.user,
            review=review,
            via="POST /reviews/{id}/roles/",
            **serializer.validated_data,
        )
        return Response(_role_data(role), status=status.HTTP_201_CREATED)


class RoleDetail(APIView):
    """GET: content readers, and the role's own agency. PATCH, DELETE: as POST, until the
    review is final (409 then)."""

    @extend_schema(responses={200: RoleSerializer, 409: CONFLICT})
    def get(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        shown = services.role_read(reader=request.user, role=role, via="GET /roles/{id}/")
        return Response(_role_data(shown))

    @extend_schema(request=RoleSerializer, responses=RoleSerializer)
    def patch(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        # 403 before the input is validated.
        require(rules.may_assign_roles(request.user, role.review), code="not_a_review_writer")
        serializer = RoleSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        shown = services.role_update_and_read(
            actor=request.user, role=role, via="PATCH /roles/{id}/", **serializer.validated_data
        )
        return Response(_role_data(shown))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        # The answer the API has always given (the service's refusal says the same code).
        require(rules.may_assign_roles(request.user, role.review), code="not_a_review_writer")
        services.role_remove(actor=request.user, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleAgree(APIView):
    """POST: a designated person of the assigned agency; a coordinator with
    `{on_behalf: true, note}` records an agreement given aloud."""

    @extend_schema(request=AgreeSerializer, responses=RoleSerializer)
    def post(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        serializer = AgreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        on_behalf = serializer.validated_data["on_behalf"]
        # 403 before the note is required.
        require(
            rules.may_answer_role(request.user, role, on_behalf=on_behalf), code="not_your_agency"
        )
        shown = services.role_agree_and_read(
            actor=request.user,
            role=role,
            on_behalf=on_behalf,
            note=serializer.validated_data["note"],
            via="POST /roles/{id}/agree/",
        )
        return Response(_role_data(shown))


class RoleAgencyInvite(APIView):
    """POST: a coordinator invites the role's agency, one outside the network, to the case:
    its staff see the facts from now and the content once the role is agreed."""

    @extend_schema(request=None, responses=RoleSerializer)
    def post(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        shown = services.role_agency_invite_and_read(
            actor=request.user, role=role, via="POST /roles/{id}/invite/"
        )
        return Response(_role_data(shown))


class RoleDecline(APIView):
    """POST `{reason}`: a designated person of the assigned agency (400 without a reason)."""

    @extend_schema(request=DeclineSerializer, responses=RoleSerializer)
    def post(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        # 403 before the input is validated.
        require(rules.may_answer_role(request.user, role), code="not_your_agency")
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shown = services.role_decline_and_read(
            actor=request.user,
            role=role,
            reason=serializer.validated_data["reason"],
            via="POST /roles/{id}/decline/",
        )
        return Response(_role_data(shown))


class RoleProgressList(_PagedList):
    """GET: readers of the role (content readers, its own agency); POST: the role's agency
    and coordinators, once the review is final."""

    serializer_class = ProgressSerializer
    queryset = ProgressNote.objects.none()  # for the schema

    @extend_schema(responses={200: ProgressSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        notes = services.progress_read(
            reader=request.user,
            role=role,
            via="GET /roles/{id}/progress/",
            page=self.paginate_queryset,
        )
        return self.paged(notes, ProgressSerializer)

    @extend_schema(responses={201: ProgressSerializer})
    def post(self, request, pk):
        role = visible_role_or_404(request.user, pk)
        # 403 before the input is validated.
        require(rules.may_record_progress(request.user, role), code="not_the_role_holder")
        serializer = ProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.progress_add_and_read(
            actor=request.user,
            role=role,
            via="POST /roles/{id}/progress/",
            **serializer.validated_data,
        )
        return Response(ProgressSerializer(note).data, status=status.HTTP_201_CREATED)


class ReviewHistory(_PagedList):
    """GET: every change to the review, its assignments and answers, oldest first: who,
    when, from what to what (content readers; audited)."""

    serializer_class = ReviewChangeSerializer
    queryset = ReviewChange.objects.none()  # for the schema

    @extend_schema(responses={200: ReviewChangeSerializer(many=True), 409: CONFLICT})
    def get(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        changes = services.history_read(
            reader=request.user,
            review=review,
            via="GET /reviews/{id}/history/",
            page=self.paginate_queryset,
        )
        return self.paged(changes, ReviewChangeSerializer)


class RoleDivisionExport(APIView):
    """The role-division table of a review (agencies × functions, with involvement, tasks,
    due dates and answers) as CSV or an Excel workbook. Content readers only (audited)."""

    kind = "csv"

    # The media type (CSV or XLSX) follows the path's suffix: config/schema.py.
    @extend_schema(responses={200: OpenApiTypes.BINARY, 409: CONFLICT})
    def get(self, request, pk):
        review = visible_review_or_404(request.user, pk)
        name, body, content_type = exports.role_division_export(
            reader=request.user, review=review, kind=self.kind
        )
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
        # 403 before the query is validated.
        require(rules.may_read_follow_ups(request.user, network), code="coordinator_only")
        query = FollowUpQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or clock.today()
        found = services.follow_ups(
            reader=request.user,
            network=network,
            on=on,
            stalled_days=query.validated_data["stalled_days"],
        )
        return Response(FollowUpsSerializer({"on": on, **found}).data)


class RoleLoad(APIView):
    """GET: roles per agency and function in final reviews, open and done (counts only, no
    case content): coordinators and practitioners' agencies. `.csv` gives the same."""

    kind = "json"

    @extend_schema(responses=RoleLoadSerializer(many=True))
    def get(self, request, network_pk):
        network = _visible_network(request, network_pk)
        rows = services.role_load(reader=request.user, network=network)
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
        meeting = visible_meeting_or_404(request.user, pk)
        item = services.agenda_role_tasks_add(actor=request.user, meeting=meeting)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)
