"""Second factors beyond django-otp's TOTP device: recovery codes kept as digests, which
sign-ins (API tokens) were made with a second factor, and the record of coordinators'
resets."""

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from config import clock
from signin import recovery_codes


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A person's set of recovery codes, as a django-otp device: a code signs in once, like a
    one-time code from the app, so sessions (OTPMiddleware) and the admin treat both alike.
    The codes themselves are `RecoveryCode` rows holding digests only."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token) -> bool:
        """Accept an unused code of this set and mark it used (under a row lock, so one
        code signs in once even when sent twice at the same moment). Failures count
        towards django-otp's throttle (a growing delay)."""
        allowed, _extra = self.verify_is_allowed()
        if not allowed or not recovery_codes.looks_like_recovery_code(str(token)):
            self.throttle_increment(commit=True)
            return False
        with transaction.atomic():
            code = (
                self.codes.select_for_update()
                .filter(digest=recovery_codes.digest(str(token)), used_at__isnull=True)
                .first()
            )
            if code is None:
                self.throttle_increment(commit=True)
                return False
            code.used_at = clock.now()
            code.save(update_fields=["used_at"])
            self.throttle_reset(commit=True)
        return True

    def get_throttle_factor(self):
        return 1


class RecoveryCode(models.Model):
    """One recovery code: its keyed digest (`signin.recovery_codes.digest`) and when it was
    used. The code itself is shown once and never stored."""

    device = models.ForeignKey(
        RecoveryCodeDevice,
        verbose_name=_("recovery codes"),
        related_name="codes",
        on_delete=models.CASCADE,
    )
    digest = models.CharField(_("digest"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="one_digest_per_set")
        ]

    def __str__(self):
        return f"{self.device_id} / {'used' if self.used_at else 'unused'}"


class VerifiedToken(models.Model):
    """An API token that was issued to a sign-in made with a second factor. No row, no
    verification: a token is unverified unless proven otherwise. The row goes with its
    token (logout, expiry) and is dropped when the person's second factor is turned off or
    reset."""

    token = models.OneToOneField(
        "knox.AuthToken",
        verbose_name=_("token"),
        primary_key=True,
        related_name="second_factor",
        on_delete=models.CASCADE,
    )
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("token signed in with a second factor")
        verbose_name_plural = _("tokens signed in with a second factor")

    def __str__(self):
        return f"{self.token_id[:8]}… / {self.verified_at:%Y-%m-%d %H:%M}"


class SecondFactorReset(models.Model):
    """A coordinator cleared a person's second factor (who, whom, where, when), so that
    they enrol again. Written by `signin.services.second_factor_reset` only."""

    network = models.ForeignKey(
        "network.Network",
        verbose_name=_("network"),
        related_name="second_factor_resets",
        on_delete=models.PROTECT,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        related_name="second_factor_resets",
        on_delete=models.PROTECT,
    )
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reset by"),
        related_name="second_factor_resets_made",
        on_delete=models.PROTECT,
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.person} / {self.at:%Y-%m-%d %H:%M}"
