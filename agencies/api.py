"""HTTP endpoints for agencies and staff accounts: validate, call one service, serialize."""

from django.db.models import Q
from django_filters import rest_framework as filters
from rest_framework import generics, status
from rest_framework.response import Response

from agencies import services
from agencies.models import Agency
from agencies.serializers import AgencySerializer, UserAgencySerializer, UserSerializer
from permissions.access import get_for_action, get_visible_or_404, require_perm
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
