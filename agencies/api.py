"""HTTP endpoints for agencies and staff accounts: validate, call one service, serialize."""

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from agencies import services
from agencies.models import Agency
from agencies.serializers import (
    AgencySerializer,
    UserAgencySerializer,
    UserDetailSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from permissions.access import get_for_action, get_visible_or_404, require, require_perm
from permissions.selectors import visible_users


class AgencyFilter(filters.FilterSet):
    name = filters.CharFilter(method="filter_name", label="name or kana contains")

    class Meta:
        model = Agency
        fields = ["sector", "active", "name"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_kana__icontains=value))


class AgencyListCreate(generics.ListCreateAPIView):
    """The agency registry: readable by everyone logged in; platform admins and coordinators
    register agencies."""

    serializer_class = AgencySerializer
    queryset = Agency.objects.all()
    filterset_class = AgencyFilter

    def create(self, request, *args, **kwargs):
        require_perm(request.user, "agencies.add_agency", None)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = services.agency_create(**serializer.validated_data)
        return Response(AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


class AgencyDetail(generics.GenericAPIView):
    """One agency. Its own staff keep its profile up to date; coordinators of a network it
    sits in (and platform admins) may also change whether it is active."""

    serializer_class = AgencySerializer
    queryset = Agency.objects.all()

    def get(self, request, pk):
        agency = get_visible_or_404(self.queryset, pk=pk, user=request.user, view_perm=None)
        return Response(AgencySerializer(agency).data)

    def patch(self, request, pk):
        agency = get_for_action(
            self.queryset,
            pk=pk,
            user=request.user,
            view_perm=None,
            action_perm="agencies.change_agency",
        )
        serializer = self.get_serializer(agency, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "active" in serializer.validated_data:
            require_perm(request.user, "agencies.manage_agency", agency, code="manage_agency_only")
        agency = services.agency_update(agency=agency, **serializer.validated_data)
        return Response(AgencySerializer(agency).data)


class UserListCreate(generics.ListCreateAPIView):
    """Staff accounts. Listing shows the people one works with (see `visible_users`);
    platform admins create any account, coordinators accounts for agencies they manage."""

    serializer_class = UserSerializer
    filterset_fields = ["agency"]

    def get_queryset(self):
        return visible_users(self.request.user)

    def create(self, request, *args, **kwargs):
        # Who may create the account first: validating the whole body before that would
        # tell anyone logged in which usernames exist, in every network.
        target = UserAgencySerializer(data=request.data)
        target.is_valid(raise_exception=True)
        agency = target.validated_data.get("agency")
        if agency is None:
            # Accounts outside any agency (auditors, say) are the platform admin's to make.
            require_perm(request.user, "agencies.add_user", None, code="platform_admin_only")
        else:
            require_perm(request.user, "agencies.manage_agency", agency, code="not_your_agency")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


# The contract's error shape, for the schema of the account endpoints.
ACCOUNT_ERROR = inline_serializer(
    "AccountError", {"detail": serializers.CharField(), "code": serializers.CharField()}
)
NOT_VISIBLE = OpenApiResponse(ACCOUNT_ERROR, description="No such account, or not yours to see.")


class UserDetail(generics.GenericAPIView):
    """One account. Read: whoever lists it (`visible_users`; 404 otherwise). PATCH: platform
    admins any account, coordinators the staff of agencies they manage (403
    `not_your_agency` for other accounts they see); moving a person to another agency is
    the platform admin's (403 `platform_admin_only`). Moving or deactivating a person ends
    at once their tokens, sessions, seats and every access their agency and invitations
    gave them (`services.user_update`)."""

    serializer_class = UserDetailSerializer

    def get_queryset(self):
        return visible_users(self.request.user)

    def _visible(self, request, pk):
        return get_visible_or_404(self.get_queryset(), pk=pk, user=request.user, view_perm=None)

    @extend_schema(
        responses={
            200: UserDetailSerializer,
            404: NOT_VISIBLE,
        }
    )
    def get(self, request, pk):
        return Response(UserDetailSerializer(self._visible(request, pk)).data)

    @extend_schema(
        request=UserUpdateSerializer,
        responses={
            200: UserDetailSerializer,
            400: OpenApiResponse(description="Field errors: `{field: [message]}`."),
            403: OpenApiResponse(
                ACCOUNT_ERROR,
                description="`not_your_agency`: not an account you manage; "
                "`platform_admin_only`: only a platform admin moves a person to another agency.",
            ),
            404: NOT_VISIBLE,
        },
    )
    def patch(self, request, pk):
        user = self._visible(request, pk)
        require_perm(request.user, "agencies.change_user", user, code="not_your_agency")
        body = UserUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        moves = "agency" in fields and getattr(fields["agency"], "pk", None) != user.agency_id
        require(not moves or request.user.is_superuser, code="platform_admin_only")
        user = services.user_update(user=user, **fields)
        return Response(UserDetailSerializer(user).data)
