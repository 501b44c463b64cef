"""HTTP shapes of meetings, invitations and agenda items (API.md "Meetings")."""

from rest_framework import serializers

from agencies.models import Agency
from conferences.models import AgendaItem, Case, Invitation, Meeting
from config.serializers import display_field
from network.fiscal import fiscal_year_label
from permissions.selectors import visible_cases, visible_networks


class MeetingSerializer(serializers.ModelSerializer):
    kind_display = display_field("kind")
    tier_display = display_field("tier")
    status_display = display_field("status")
    fiscal_year_label = serializers.SerializerMethodField()
    invited_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False
    )
    tier = serializers.CharField(required=False)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "network",
            "tier",
            "tier_display",
            "kind",
            "kind_display",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "status",
            "status_display",
            "fiscal_year",
            "fiscal_year_label",
            "invited_agencies",
            "revision",
        ]
        read_only_fields = ["status", "fiscal_year", "revision"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A network the person cannot see answers like one that does not exist.
            self.fields["network"].queryset = visible_networks(request.user)

    def get_fiscal_year_label(self, meeting) -> str:
        return fiscal_year_label(meeting.fiscal_year)


class MeetingUpdateSerializer(MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        read_only_fields = [*MeetingSerializer.Meta.read_only_fields, "network", "kind", "tier"]


class InvitationSerializer(serializers.ModelSerializer):
    response_display = display_field("response")
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "meeting",
            "person",
            "person_name",
            "agency",
            "agency_name",
            "response",
            "response_display",
            "responded_at",
            "lapsed_at",
        ]
        read_only_fields = [f for f in fields if f != "response"]


class AgendaItemSerializer(serializers.ModelSerializer):
    kind_display = display_field("kind")
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.all(), required=False, allow_null=True
    )
    case_code = serializers.CharField(source="case.code", read_only=True, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A case the person cannot see answers like one that does not exist.
            self.fields["case"].queryset = visible_cases(request.user)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "order",
            "kind",
            "kind_display",
            "title",
            "details",
            "case",
            "case_code",
        ]
        read_only_fields = ["meeting", "details"]
        extra_kwargs = {"order": {"required": False}}
