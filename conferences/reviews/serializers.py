"""HTTP shapes of reviews, role assignments and progress (API.md "Cases": reviews, roles,
progress). Sealed fields are not model fields here: the read services
(`review_services.review_read`, `roles_read`, ...) unseal them, record the reading and hand
copies carrying the text to these serializers."""

from rest_framework import serializers

from agencies.models import Agency
from conferences.models import (
    Involvement,
    ProgressNote,
    Review,
    ReviewChange,
    RoleAssignment,
    RoleFunction,
    TaskStatus,
)
from config.serializers import SealedTextField, display_field
from permissions.selectors import visible_meetings

TEXT = {"required": False, "allow_blank": True, "max_length": 20000}


class ReviewSerializer(serializers.ModelSerializer):
    assessment = SealedTextField(**TEXT)
    support_direction = SealedTextField(**TEXT)
    notes = SealedTextField(**TEXT)

    class Meta:
        model = Review
        fields = [
            "id",
            "case",
            "meeting",
            "assessment",
            "support_direction",
            "notes",
            "next_review_on",
            "created_by",
            "created_at",
            "finalized_at",
            "finalized_by",
        ]
        read_only_fields = ["case", "created_by", "created_at", "finalized_at", "finalized_by"]
        extra_kwargs = {"meeting": {"required": False, "allow_null": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "meeting" in self.fields:
            # A meeting the person cannot see answers like one that does not exist.
            self.fields["meeting"].queryset = visible_meetings(request.user)


class ReviewUpdateSerializer(ReviewSerializer):
    class Meta(ReviewSerializer.Meta):
        read_only_fields = [*ReviewSerializer.Meta.read_only_fields, "meeting"]


class RoleSerializer(serializers.ModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    function = serializers.ChoiceField(choices=RoleFunction.choices)
    function_display = display_field("function")
    involvement = serializers.ChoiceField(choices=Involvement.choices)
    involvement_display = display_field("involvement")
    tasks = SealedTextField(**TEXT)
    agreement_display = display_field("agreement")
    task_status = serializers.ChoiceField(
        choices=TaskStatus.choices, read_only=True, allow_blank=True
    )  # blank until the review is final
    task_status_display = display_field("task_status")
    case = serializers.IntegerField(source="review.case_id", read_only=True)
    outside_network = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "review",
            "case",
            "agency",
            "agency_name",
            "outside_network",
            "function",
            "function_display",
            "involvement",
            "involvement_display",
            "tasks",
            "due_on",
            "agreement",
            "agreement_display",
            "agreed_by",
            "agreed_on_behalf",
            "agreement_note",
            "decline_reason",
            "answered_at",
            "agency_invited_at",
            "agency_invited_by",
            "task_status",
            "task_status_display",
        ]
        read_only_fields = [
            "review",
            "agreement",
            "agreed_by",
            "agreed_on_behalf",
            "agreement_note",
            "decline_reason",
            "answered_at",
            "agency_invited_at",
            "agency_invited_by",
            "task_status",
        ]

    def get_outside_network(self, role) -> bool:
        """Not a practitioners'-tier member of the case's network (an agency to join)."""
        return role.agency_id not in self.context.get("practitioner_agencies", set())


class AgreeSerializer(serializers.Serializer):
    on_behalf = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ProgressSerializer(serializers.ModelSerializer):
    note = serializers.CharField(max_length=20000)
    task_status = serializers.ChoiceField(choices=TaskStatus.choices)
    task_status_display = display_field("task_status")

    class Meta:
        model = ProgressNote
        fields = [
            "id",
            "role",
            "note",
            "task_status",
            "task_status_display",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["role", "created_by", "created_at"]


class ReviewChangeSerializer(serializers.ModelSerializer):
    action_display = display_field("action")
    changes = serializers.DictField(read_only=True)

    class Meta:
        model = ReviewChange
        fields = ["id", "review", "role_id", "action", "action_display", "actor", "at", "changes"]


class FollowUpRoleSerializer(serializers.ModelSerializer):
    """An assignment as the follow-up list shows it: facts only, no tasks."""

    case = serializers.IntegerField(source="review.case_id")
    case_code = serializers.CharField(source="review.case.code")
    agency_name = serializers.CharField(source="agency.name")
    function_display = display_field("function")

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "review",
            "case",
            "case_code",
            "agency",
            "agency_name",
            "function",
            "function_display",
            "due_on",
            "agreement",
            "asked_at",
            "task_status",
        ]


class FollowUpReviewSerializer(serializers.ModelSerializer):
    case_code = serializers.CharField(source="case.code")

    class Meta:
        model = Review
        fields = ["id", "case", "case_code", "meeting", "next_review_on", "finalized_at"]


class FollowUpsSerializer(serializers.Serializer):
    on = serializers.DateField()
    overdue_tasks = FollowUpRoleSerializer(many=True)
    reviews_due = FollowUpReviewSerializer(many=True)
    stalled_agreements = FollowUpRoleSerializer(many=True)


class RoleLoadSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    agency_name = serializers.CharField(source="agency__name")
    function = serializers.CharField()
    function_display = serializers.SerializerMethodField()
    open = serializers.IntegerField()
    done = serializers.IntegerField()
    ended_otherwise = serializers.IntegerField()

    def get_function_display(self, row) -> str:
        return str(RoleFunction(row["function"]).label)
