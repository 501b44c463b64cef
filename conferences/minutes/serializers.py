"""What the minutes and attendance endpoints take and give."""

from rest_framework import serializers

from conferences.models import Attendance
from config.serializers import IdField, display_field


class MinutesBodySerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=100_000)


class AmendmentSerializer(MinutesBodySerializer):
    note = serializers.CharField(max_length=2000)


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    author = serializers.IntegerField()
    at = serializers.DateTimeField()
    body = serializers.CharField()


class AmendmentOutSerializer(RevisionSerializer):
    note = serializers.CharField()


class MinutesSerializer(serializers.Serializer):
    body = serializers.CharField()
    status = serializers.CharField()
    revision = serializers.IntegerField()
    approved_by = serializers.IntegerField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    revisions = RevisionSerializer(many=True)
    amendments = AmendmentOutSerializer(many=True)


class MinutesCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    body = serializers.CharField(max_length=10_000)
    author = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class AttendanceSerializer(serializers.ModelSerializer):
    status_display = display_field("status")

    class Meta:
        model = Attendance
        fields = ["person", "agency", "status", "status_display", "substitute_for"]
        read_only_fields = fields


class AttendanceEntrySerializer(serializers.Serializer):
    """One line of a PUT. People are plain ids: the service looks them up only among the
    meeting's invitees and invited agencies, so an account elsewhere answers like none."""

    person = IdField()
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    substitute_for = IdField(required=False, allow_null=True)
