"""HTTP shapes of agencies and staff accounts (API.md "Accounts, agencies, networks")."""

from rest_framework import serializers

from agencies.models import Agency, Qualification, User
from config.serializers import display_field


class CooperationPreferencesSerializer(serializers.Serializer):
    """連携の希望: how the agency prefers to be approached for cooperation."""

    contact_route = serializers.CharField(required=False, allow_blank=True)
    can_take_on = serializers.CharField(required=False, allow_blank=True)
    conditions = serializers.CharField(required=False, allow_blank=True)


class AgencySerializer(serializers.ModelSerializer):
    sector_display = display_field("sector")
    cooperation_preferences = CooperationPreferencesSerializer(source="*", required=False)

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "name_kana",
            "sector",
            "sector_display",
            "address",
            "phone",
            "email",
            "website",
            "cooperation_preferences",
            "active",
        ]
        # Uniqueness is checked by the service (full_clean), once.
        extra_kwargs = {"name": {"validators": []}}


class UserAgencySerializer(serializers.Serializer):
    """The one field of a new account that decides who may create it; read before the rest
    so that people refused learn nothing else (not even which usernames are taken)."""

    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), allow_null=True, required=False
    )


class UserSerializer(serializers.ModelSerializer):
    """A staff account as others see it; the password is write-only."""

    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), allow_null=True, required=False
    )
    qualifications = serializers.ListField(
        child=serializers.ChoiceField(choices=Qualification.choices), required=False
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "display_name",
            "email",
            "agency",
            "job_title",
            "qualifications",
        ]
        extra_kwargs = {"display_name": {"required": True, "allow_blank": False}}


class UserDetailSerializer(UserSerializer):
    """One account (`GET, PATCH /users/{id}/`): the list's fields and whether it is active."""

    class Meta(UserSerializer.Meta):
        fields = [f for f in UserSerializer.Meta.fields if f != "password"] + ["is_active"]
        read_only_fields = ["id", "username"]


class UserUpdateSerializer(serializers.Serializer):
    """What `PATCH /users/{id}/` takes; `agency` is the platform admin's to change."""

    display_name = serializers.CharField(max_length=100, allow_blank=False)
    email = serializers.EmailField(allow_blank=True, max_length=254)
    job_title = serializers.CharField(max_length=100, allow_blank=True)
    qualifications = serializers.ListField(
        child=serializers.ChoiceField(choices=Qualification.choices)
    )
    is_active = serializers.BooleanField()
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), allow_null=True)
