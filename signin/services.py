"""Every write of sign-in: tokens, enrolling and confirming an authenticator, recovery
codes, turning the second factor off, and coordinators' resets.

The second factor is django-otp's TOTP device (RFC 6238: SHA-1, 6 digits, 30 s, one step of
tolerance, each code accepted once, failures slowed by a growing delay), plus our own set of
recovery codes (`signin.models.RecoveryCodeDevice`, digests only). A person has the second
factor on once an authenticator is confirmed with a code.
"""

import logging
from base64 import b32encode

import django_otp
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken, get_token_model
from knox.settings import knox_settings

from config import clock
from config.errors import Conflict, Forbidden, Unauthenticated
from permissions import rules
from permissions import services as permission_services
from permissions.selectors import own_networks
from signin import recovery_codes, selectors
from signin.models import RecoveryCode, RecoveryCodeDevice, SecondFactorReset, VerifiedToken
from signin.throttle import LoginGuard

audit_log = logging.getLogger("renkei.audit")

INVALID_CODE = _("This code is not valid: type the 6-digit code your app shows now.")


def otpauth_secret(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps take it (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


# --- verifying a code ---------------------------------------------------------------------


def _one_time_code(code: str) -> str | None:
    text = "".join(str(code).split())
    return text if len(text) == 6 and text.isascii() and text.isdigit() else None


def second_factor_verify(*, user, code: str):
    """The device of the person's that accepts `code` (a current 6-digit code of their
    confirmed authenticator, or one of their unused recovery codes, which is then used up),
    or None. The shape of the code picks the device, so a mistyped code never counts
    against the other one's throttle."""
    code = str(code or "")
    if (one_time := _one_time_code(code)) is not None:
        devices, token = TOTPDevice.objects.filter(user=user, confirmed=True), one_time
    elif recovery_codes.looks_like_recovery_code(code):
        devices, token = RecoveryCodeDevice.objects.filter(user=user, confirmed=True), code
    else:
        return None
    # The row lock keeps one code from being accepted twice by concurrent sign-ins.
    with transaction.atomic():
        for device in devices.select_for_update():
            if device.verify_token(token):
                return device
    return None


# --- tokens -------------------------------------------------------------------------------


def credentials_check(*, request, username: str, password: str, otp: str, address: str | None):
    """Check a sign-in: the password and, for a person with the second factor on, `otp`.
    Returns `(user, device)`, `device` being the one that verified `otp` (None for a person
    without the second factor). Raises:

    - Throttled (429) when the username failed too often from this address, or reached
      its daily cap (then only a sign-in completed with a second factor gets through,
      and the answer never tells whether the password was right);
    - ValidationError (`authorization`) for a wrong username or password, or an inactive
      account;
    - Unauthenticated (401) `otp_required` without `otp`, `invalid_otp` with a wrong one.

    Only failures (a wrong password or code) count towards the limits. The API's token
    login and the admin's login form both sign in through here.
    """
    guard = LoginGuard(username=username, address=address)
    guard.check()
    capped = guard.capped()
    user = authenticate(request, username=username, password=password)
    if user is None:
        guard.failed()
        if capped:
            raise guard.refuse_capped()
        raise ValidationError(
            _("Unable to log in with provided credentials."), code="authorization"
        )
    device = None
    if selectors.two_factor_enabled(user):
        if not otp:
            if capped:
                raise guard.refuse_capped()
            raise Unauthenticated(
                "otp_required",
                _("This account signs in with a second factor: send the code as `otp`."),
            )
        device = second_factor_verify(user=user, code=otp)
        if device is None:
            guard.failed()
            if capped:
                raise guard.refuse_capped()
            raise Unauthenticated("invalid_otp", _("The one-time code is not valid."))
    elif capped:
        raise guard.refuse_capped()
    return user, device


def token_sign_in(*, request, username: str, password: str, otp: str, address: str | None):
    """`credentials_check`, then a new token: `(instance, token)`."""
    user, device = credentials_check(
        request=request, username=username, password=password, otp=otp, address=address
    )
    return token_issue(user=user, verified=device is not None)


@transaction.atomic
def token_issue(*, user, verified: bool) -> tuple[AuthToken, str]:
    """A new API token for the person (only its digest stored), remembered as signed in
    with a second factor when `verified`."""
    instance, token = get_token_model().objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
    if verified:
        VerifiedToken.objects.create(token=instance, verified_at=clock.now())
    return instance, token


def sign_in_verified(*, request, device) -> None:
    """Mark the request's own sign-in as made with a second factor, after the person proved
    `device` in it: its API token, or its session (django-otp's login)."""
    if isinstance(request.auth, get_token_model()):
        VerifiedToken.objects.update_or_create(
            token=request.auth, defaults={"verified_at": clock.now()}
        )
    elif hasattr(request, "session"):
        django_otp.login(request, device)


# --- enrolment ----------------------------------------------------------------------------


@transaction.atomic
def enrolment_start(*, user) -> TOTPDevice:
    """A new authenticator secret for the person to put in their app; it counts once
    confirmed with a code (`enrolment_confirm`). An earlier unconfirmed one is dropped.
    Replacing an authenticator that is on needs a sign-in made with it (or a recovery
    code): 403 `otp_required` otherwise."""
    if selectors.two_factor_enabled(user) and not rules.sign_in_verified(user):
        raise Forbidden(
            "otp_required",
            _("Sign in with your current second factor before setting up a new one."),
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def enrolment_confirm(*, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn the pending authenticator on with a current code from it: any earlier
    authenticator and recovery codes are replaced, sign-ins verified with them are no
    longer verified, and 10 new recovery codes are returned (to show once). 409
    `no_enrolment` when none was started; 400 on `code` when it is wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise Conflict("no_enrolment", _("Start setting up an authenticator first."))
        one_time = _one_time_code(code)
        accepted = one_time is not None and device.verify_token(one_time)
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            VerifiedToken.objects.filter(token__user=user).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes_issue(user)
    # Outside the block: a failed try's throttle count must be committed, not rolled back.
    if not accepted:
        raise ValidationError({"code": [INVALID_CODE]})
    return device, codes


@transaction.atomic
def authenticator_set(*, user, secret: bytes, name: str = "authenticator") -> TOTPDevice:
    """Give the person a confirmed authenticator with a known secret, replacing any other
    (no recovery codes). For `load_demo`'s published demo key, and for carrying a key
    over from another system; people enrol themselves through `enrolment_start`."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, key=secret.hex(), confirmed=True)


def _recovery_codes_issue(user) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = recovery_codes.generate()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_codes.digest(code)) for code in codes
    )
    return codes


# --- turning it off -----------------------------------------------------------------------


def _second_factor_clear(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    VerifiedToken.objects.filter(token__user=user).delete()


def two_factor_disable(*, user, code: str) -> None:
    """Turn the person's second factor off, proven by a current code (or a recovery code).
    409 `two_factor_required` where a network of theirs requires it, or they use the
    admin; 400 on `code` when it is wrong. Without one on, drops a pending enrolment."""
    if not selectors.two_factor_enabled(user):
        TOTPDevice.objects.filter(user=user).delete()
        return
    if rules.second_factor_required(user):
        raise Conflict(
            "two_factor_required",
            _("A network you belong to (or the admin) requires a second factor."),
        )
    if second_factor_verify(user=user, code=code) is None:
        raise ValidationError({"code": [INVALID_CODE]})
    with transaction.atomic():
        _second_factor_clear(user)
    audit_log.info("second factor of person %s turned off by themselves", user.pk)


def second_factor_reset(*, actor, network, person) -> SecondFactorReset:
    """A coordinator clears a person's second factor (a lost phone) so they enrol again:
    the authenticator and recovery codes go, and no sign-in of theirs stays verified.
    Recorded (who, whom, network, when) and logged to `renkei.audit`. 403
    `coordinator_only` unless the actor may (`permissions.rules.may_reset_second_factor`),
    `otp_required` unless their own sign-in satisfies the network's rule, `not_in_network`
    for a person who does not belong to it (the API answers 404 before asking), and
    `own_second_factor` for the actor themselves."""
    if not rules.may_reset_second_factor(actor, network):
        raise Forbidden("coordinator_only")
    permission_services.second_factor_require(person=actor, network=network)
    if not own_networks(person).filter(pk=network.pk).exists():
        raise Forbidden("not_in_network")
    if person.pk == actor.pk:
        raise Forbidden(
            "own_second_factor",
            _("Another coordinator or the platform administrator resets your second factor."),
        )
    with transaction.atomic():
        _second_factor_clear(person)
        reset = SecondFactorReset.objects.create(
            network=network, person=person, reset_by=actor, at=clock.now()
        )
    audit_log.info(
        "second factor of person %s reset by %s in network %s", person.pk, actor.pk, network.pk
    )
    return reset
