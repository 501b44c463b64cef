"""HTTP shapes of cases and screening (API.md "Cases"); the audit's are in
`permissions.serializers`."""

from rest_framework import serializers

from agencies.models import Agency
from conferences.models import NARRATIVE_FIELDS, Case
from config.serializers import display_field
from network.models import Network
from permissions.rules import CASE_CONTENT_OTP_REQUIRED
from permissions.selectors import visible_networks

NARRATIVE_MAX = 20_000


class CaseSerializer(serializers.ModelSerializer):
    """A case's facts: what lists show. Never narratives."""

    submitting_agency_name = serializers.CharField(source="submitting_agency.name", read_only=True)
    age_band_display = display_field("age_band")
    gender_display = display_field("gender")
    household_display = display_field("household")
    withdrawal_duration_display = display_field("withdrawal_duration")
    consent_basis_display = display_field("consent_basis")
    status_display = display_field("status")
    content_purged = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "network",
            "code",
            "fiscal_year",
            "submitting_agency",
            "submitting_agency_name",
            "title",
            "age_band",
            "age_band_display",
            "gender",
            "gender_display",
            "household",
            "household_display",
            "withdrawal_duration",
            "withdrawal_duration_display",
            "involved_agencies",
            "consent_basis",
            "consent_basis_display",
            "status",
            "status_display",
            "created_at",
            "submitted_at",
            "closed_at",
            "content_purged",
        ]
        read_only_fields = fields

    def get_content_purged(self, case) -> bool:
        return case.purged_at is not None


class CaseContentSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    history = serializers.CharField(allow_blank=True)
    current_support = serializers.CharField(allow_blank=True)
    difficulties = serializers.CharField(allow_blank=True)
    questions = serializers.CharField(allow_blank=True)


class CaseDetailSerializer(CaseSerializer):
    """Facts plus `content`: the narratives where the reader may read them, else null.
    `content_refusal` says why content a reader could otherwise read is withheld
    (`otp_required`: the network wants a sign-in with a second factor), else null."""

    content = CaseContentSerializer(allow_null=True, read_only=True)
    content_refusal = serializers.ChoiceField(
        choices=[CASE_CONTENT_OTP_REQUIRED], allow_null=True, read_only=True
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "content", "content_refusal"]
        read_only_fields = fields


class CaseWriteSerializer(serializers.ModelSerializer):
    """What a submitting agency writes: facts and narratives. `network` on creation only."""

    network = serializers.PrimaryKeyRelatedField(queryset=Network.objects.all())
    involved_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False
    )
    summary = serializers.CharField(allow_blank=True, required=False, max_length=NARRATIVE_MAX)
    history = serializers.CharField(allow_blank=True, required=False, max_length=NARRATIVE_MAX)
    current_support = serializers.CharField(
        allow_blank=True, required=False, max_length=NARRATIVE_MAX
    )
    difficulties = serializers.CharField(allow_blank=True, required=False, max_length=NARRATIVE_MAX)
    questions = serializers.CharField(allow_blank=True, required=False, max_length=NARRATIVE_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "network" in self.fields:
            # A network the person cannot see answers like one that does not exist.
            self.fields["network"].queryset = visible_networks(request.user)

    class Meta:
        model = Case
        fields = [
            "network",
            "title",
            "age_band",
            "gender",
            "household",
            "withdrawal_duration",
            "involved_agencies",
            "consent_basis",
            *NARRATIVE_FIELDS,
        ]


class CaseUpdateSerializer(CaseWriteSerializer):
    class Meta(CaseWriteSerializer.Meta):
        fields = [f for f in CaseWriteSerializer.Meta.fields if f != "network"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
