"""HTTP shapes of the decisions of representatives' meetings (API.md "Meetings")."""

from rest_framework import serializers

from agencies.models import Agency
from conferences.models import Decision, DecisionChange
from config.serializers import display_field


class DecisionSerializer(serializers.ModelSerializer):
    status_display = display_field("status")
    owner_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())

    class Meta:
        model = Decision
        fields = ["id", "meeting", "text", "owner_agency", "due_on", "status", "status_display"]
        read_only_fields = ["meeting"]
        extra_kwargs = {"status": {"required": False}}


class DecisionUpdateSerializer(DecisionSerializer):
    """PATCH: text, due date and status; the owner agency stays."""

    owner_agency = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(DecisionSerializer.Meta):
        read_only_fields = ["meeting", "owner_agency"]


class DecisionChangeSerializer(serializers.ModelSerializer):
    """One history row: `changes` is `{field: [from, to]}` (dates as `YYYY-MM-DD`)."""

    changes = serializers.DictField(child=serializers.ListField(min_length=2, max_length=2))

    class Meta:
        model = DecisionChange
        fields = ["id", "decision", "actor", "at", "changes"]
