"""HTTP shapes of sign-in and the second factor."""

from rest_framework import serializers

from config.serializers import IdField
from signin.models import SecondFactorReset


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="A current 6-digit code from the authenticator app, or an unused recovery "
        "code: required once the person has the second factor on.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class TwoFactorStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    recovery_codes_left = serializers.IntegerField()
    required = serializers.BooleanField(
        help_text="A network of the person (or the admin) requires a second factor: it "
        "cannot be turned off."
    )
    pending = serializers.BooleanField(help_text="An enrolment was started, not confirmed.")


class EnrolmentSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32, for typing into an authenticator app.")
    otpauth_uri = serializers.CharField(help_text="otpauth://totp/… (SHA-1, 6 digits, 30 s).")


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Shown this once; each signs in once."
    )


class ResetRequestSerializer(serializers.Serializer):
    user = IdField()


class ResetSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="person_id", read_only=True)

    class Meta:
        model = SecondFactorReset
        fields = ["id", "network", "user", "reset_by", "at"]
        read_only_fields = fields
