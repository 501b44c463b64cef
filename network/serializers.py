"""HTTP shapes of networks, memberships, staff roles and pledges."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, User
from config.serializers import display_field
from network.fiscal import fiscal_year_label
from network.models import ConfidentialityPledge, Membership, Network, StaffRole
from permissions.selectors import network_access, staff_role_candidates, visible_users


class NetworkSerializer(serializers.ModelSerializer):
    secretariat_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    legal_basis_display = display_field("legal_basis")

    class Meta:
        model = Network
        fields = [
            "id",
            "name",
            "municipality",
            "secretariat_agency",
            "content_window_days",
            "suppression_threshold",
            "retention_years",
            "pledge_text",
            "pledge_text_version",
            "require_two_factor",
            "legal_basis",
            "legal_basis_display",
            "legal_basis_note",
            "review_interval_months",
        ]
        read_only_fields = ["pledge_text_version"]


class PeopleTheRequesterMayListMixin:
    """Person fields accept only accounts the requester may list (`visible_users`): any
    other id answers "does not exist", so ids cannot be probed across networks."""

    person_fields: tuple[str, ...] = ()
    people = staticmethod(visible_users)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        people = self.people(request.user)
        for name in self.person_fields:
            field = self.fields[name]
            (field.child_relation if hasattr(field, "child_relation") else field).queryset = people


class StaffRoleSerializer(PeopleTheRequesterMayListMixin, serializers.ModelSerializer):
    person_fields = ("user",)
    people = staticmethod(staff_role_candidates)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    role_display = display_field("role")
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = StaffRole
        fields = ["id", "network", "user", "display_name", "role", "role_display", "created_at"]
        read_only_fields = ["network", "created_at"]


class PersonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name", "job_title"]


class MembershipSerializer(PeopleTheRequesterMayListMixin, serializers.ModelSerializer):
    person_fields = ("designated_people",)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    designated_people = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )
    designated_people_detail = PersonSummarySerializer(
        source="designated_people", many=True, read_only=True
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    tier_display = display_field("tier")

    class Meta:
        model = Membership
        fields = [
            "id",
            "network",
            "agency",
            "agency_name",
            "tier",
            "tier_display",
            "designated_people",
            "designated_people_detail",
            "starts_on",
            "ends_on",
        ]
        read_only_fields = ["network"]


class PledgeSerializer(serializers.ModelSerializer):
    fiscal_year_label = serializers.SerializerMethodField()
    text_version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = ConfidentialityPledge
        fields = [
            "id",
            "person",
            "network",
            "fiscal_year",
            "fiscal_year_label",
            "signed_at",
            "text_version",
        ]
        read_only_fields = ["person", "network", "fiscal_year", "signed_at"]

    def get_fiscal_year_label(self, pledge) -> str:
        return fiscal_year_label(pledge.fiscal_year)


class NetworkAccessSerializer(serializers.Serializer):
    network = serializers.IntegerField()
    roles = serializers.ListField(child=serializers.CharField())
    tiers = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.ModelSerializer):
    networks = serializers.SerializerMethodField()
    pledges = PledgeSerializer(many=True, read_only=True)
    is_platform_admin = serializers.BooleanField(source="is_superuser", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "agency",
            "job_title",
            "qualifications",
            "is_platform_admin",
            "networks",
            "pledges",
        ]

    @extend_schema_field(NetworkAccessSerializer(many=True))
    def get_networks(self, user):
        return NetworkAccessSerializer(network_access(user), many=True).data
