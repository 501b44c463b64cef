"""Reads about a person's second factor and a sign-in's verification."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from permissions import rules
from signin.models import RecoveryCode, VerifiedToken


def two_factor_enabled(user) -> bool:
    """Whether the person has a confirmed authenticator (one-time codes are then needed to
    sign in)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_authenticator(user) -> bool:
    """Whether the person has any authenticator, confirmed or being set up."""
    return TOTPDevice.objects.filter(user=user).exists()


def pending_enrolment(user) -> TOTPDevice | None:
    """The authenticator being set up (started, not yet confirmed with a code), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(
        device__user=user, device__confirmed=True, used_at__isnull=True
    ).count()


def two_factor_status(user) -> dict:
    """`{enabled, recovery_codes_left, required, pending}` for `GET /me/two-factor/`."""
    return {
        "enabled": two_factor_enabled(user),
        "recovery_codes_left": recovery_codes_left(user),
        "required": rules.second_factor_required(user),
        "pending": pending_enrolment(user) is not None,
    }


def token_verified(token) -> bool:
    """Whether the API token was issued to a sign-in made with a second factor."""
    return VerifiedToken.objects.filter(token=token).exists()
