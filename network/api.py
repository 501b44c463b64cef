"""HTTP endpoints for networks, staff roles, memberships, pledges and `/me/`."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response

from agencies.models import User
from config import clock
from config.filters import IdFilter
from network import services
from network.models import ConfidentialityPledge, Membership, Network, StaffRole
from network.serializers import (
    MembershipSerializer,
    MeSerializer,
    NetworkSerializer,
    PledgeSerializer,
    StaffRoleSerializer,
)
from permissions import rules
from permissions.access import get_visible_or_404, require, require_perm
from permissions.selectors import visible_networks

VIEW = "network.view_network"


def created_or_ok(created: bool) -> int:
    """201 for a new row, 200 when a repeated request found it already there."""
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


class NetworkListCreate(generics.ListCreateAPIView):
    """Networks the person sits in or runs; platform admins see and create all."""

    serializer_class = NetworkSerializer

    def get_queryset(self):
        return visible_networks(self.request.user).order_by("id")

    def create(self, request, *args, **kwargs):
        require_perm(request.user, "network.add_network", None, code="platform_admin_only")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        network = services.network_create(**serializer.validated_data)
        return Response(NetworkSerializer(network).data, status=status.HTTP_201_CREATED)


class NetworkDetail(generics.GenericAPIView):
    serializer_class = NetworkSerializer
    queryset = Network.objects.all()

    def get(self, request, pk):
        network = get_visible_or_404(self.queryset, pk=pk, user=request.user, view_perm=VIEW)
        return Response(NetworkSerializer(network).data)

    def patch(self, request, pk):
        network = get_visible_or_404(self.queryset, pk=pk, user=request.user, view_perm=VIEW)
        require(rules.may_administer_network(request.user, network), code="permission_denied")
        serializer = self.get_serializer(network, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        network = services.network_update(
            network=network, actor=request.user, **serializer.validated_data
        )
        return Response(NetworkSerializer(network).data)


class NetworkScoped(generics.GenericAPIView):
    """Base for endpoints under `/networks/{id}/`: the network decides 404 before anything."""

    # Reading: whoever sees the network, unless `read_administers`; writing: whoever
    # administers it (`permissions.rules.may_administer_network`), else 403.
    read_administers = False

    def network_for(self, *, write: bool) -> Network:
        network = get_visible_or_404(
            Network.objects.all(),
            pk=self.kwargs["network_pk"],
            user=self.request.user,
            view_perm=VIEW,
        )
        if write or self.read_administers:
            require(
                rules.may_administer_network(self.request.user, network), code="permission_denied"
            )
        return network


class StaffRoleFilter(filters.FilterSet):
    user = IdFilter()  # a plain number, as for pledges

    class Meta:
        model = StaffRole
        fields = ["role", "user"]


@extend_schema_view(  # 200 when the role was already there
    post=extend_schema(responses={200: StaffRoleSerializer, 201: StaffRoleSerializer})
)
class StaffRoleList(NetworkScoped, generics.ListCreateAPIView):
    """Coordinators and auditors of a network; coordinators (and platform admins) manage them."""

    serializer_class = StaffRoleSerializer
    queryset = StaffRole.objects.none()  # for the schema; get_queryset scopes to the network
    read_administers = True
    filterset_class = StaffRoleFilter

    def get_queryset(self):
        network = self.network_for(write=False)
        return StaffRole.objects.filter(network=network).select_related("user")

    def create(self, request, *args, **kwargs):
        network = self.network_for(write=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role, created = services.staff_role_add(network=network, **serializer.validated_data)
        return Response(StaffRoleSerializer(role).data, status=created_or_ok(created))


class StaffRoleDetail(NetworkScoped):
    serializer_class = StaffRoleSerializer

    def delete(self, request, network_pk, pk):
        network = self.network_for(write=True)
        role = get_visible_or_404(
            StaffRole.objects.filter(network=network), pk=pk, user=request.user, view_perm=None
        )
        services.staff_role_remove(staff_role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipFilter(filters.FilterSet):
    current = filters.BooleanFilter(method="filter_current", label="term covers today")

    class Meta:
        model = Membership
        fields = ["tier", "agency", "current"]

    def filter_current(self, queryset, name, value):
        current = Membership.objects.current(clock.today()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


def _memberships():
    people = User.objects.only("id", "display_name", "job_title").order_by("id")
    return Membership.objects.select_related("agency").prefetch_related(
        Prefetch("designated_people", queryset=people)
    )


class MembershipList(NetworkScoped, generics.ListCreateAPIView):
    """The agencies seated in a network's two tiers; coordinators write."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.none()  # for the schema; get_queryset scopes to the network
    filterset_class = MembershipFilter

    def get_queryset(self):
        return _memberships().filter(network=self.network_for(write=False))

    def create(self, request, *args, **kwargs):
        network = self.network_for(write=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_create(network=network, **serializer.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetail(NetworkScoped):
    serializer_class = MembershipSerializer

    def _membership(self, *, write: bool) -> Membership:
        network = self.network_for(write=write)
        return get_visible_or_404(
            _memberships().filter(network=network),
            pk=self.kwargs["pk"],
            user=self.request.user,
            view_perm=None,
        )

    def get(self, request, network_pk, pk):
        return Response(MembershipSerializer(self._membership(write=False)).data)

    def patch(self, request, network_pk, pk):
        membership = self._membership(write=True)
        serializer = self.get_serializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_update(membership=membership, **serializer.validated_data)
        return Response(MembershipSerializer(_memberships().get(pk=membership.pk)).data)

    def delete(self, request, network_pk, pk):
        services.membership_delete(membership=self._membership(write=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PledgeFilter(filters.FilterSet):
    # A plain number: a choice filter over every account would tell which ids exist.
    person = IdFilter()

    class Meta:
        model = ConfidentialityPledge
        fields = ["fiscal_year", "person"]


@extend_schema_view(  # 200 when this year's pledge was already signed
    post=extend_schema(responses={200: PledgeSerializer, 201: PledgeSerializer})
)
class PledgeList(NetworkScoped, generics.ListCreateAPIView):
    """Confidentiality pledges. Each person signs for themselves (POST signs for the current
    fiscal year); a person lists their own, coordinators and auditors list everyone's."""

    serializer_class = PledgeSerializer
    queryset = ConfidentialityPledge.objects.none()  # for the schema
    filterset_class = PledgeFilter

    def get_queryset(self):
        network = self.network_for(write=False)
        pledges = ConfidentialityPledge.objects.filter(network=network)
        user = self.request.user
        if rules.may_read_network_pledges(user, network):
            return pledges
        return pledges.filter(person=user)

    def create(self, request, *args, **kwargs):
        network = self.network_for(write=False)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pledge, created = services.pledge_sign(
            person=request.user,
            network=network,
            text_version=serializer.validated_data.get("text_version"),
        )
        return Response(PledgeSerializer(pledge).data, status=created_or_ok(created))


class Me(generics.GenericAPIView):
    """Who am I: account, networks with roles and tiers, and signed pledges."""

    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(request.user).data)
