"""What the screening endpoints take and give: texts to screen, findings, terms."""

from rest_framework import serializers

from conferences.cases.serializers import NARRATIVE_MAX
from conferences.models import ScreeningTerm
from config.serializers import IdField, SingleLineCharField


class ScreenRequestSerializer(serializers.Serializer):
    network = IdField()
    fields = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=NARRATIVE_MAX)
    )

    def validate_fields(self, value):
        if len(value) > 10:
            raise serializers.ValidationError("At most 10 fields per screening.")
        return value


class FindingSerializer(serializers.Serializer):
    field = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    category = serializers.CharField()
    excerpt = serializers.CharField()


class ScreenResponseSerializer(serializers.Serializer):
    findings = FindingSerializer(many=True)


class ScreeningTermSerializer(serializers.ModelSerializer):
    """An allowed term comes back as written; a forbidden term never does."""

    term = SingleLineCharField(max_length=100, write_only=True)
    category = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ScreeningTerm
        fields = ["id", "network", "term", "category", "reason", "created_by", "created_at"]
        read_only_fields = ["network", "created_at"]

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if entry.kind == ScreeningTerm.Kind.ALLOWED:
            data["term"] = entry.term
        return data


class PersonalDataFoundSerializer(serializers.Serializer):
    """422 of a submission the screening refused: the error shape plus the findings."""

    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["personal_data"])
    findings = FindingSerializer(many=True)
