"""The sign-in form of the web pages and the admin: username, password and a one-time code,
checked as the API's token login checks them."""

import django_otp
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from config.errors import Unauthenticated
from signin import services

OTP_MESSAGES = {
    "otp_required": _(
        "Type the code your authenticator app shows (or one of your recovery codes)."
    ),
    "invalid_otp": _("The one-time code is not valid."),
}
THROTTLED = _("Too many failed sign-ins: try again later.")


class _LoginScope:
    """What DRF's ScopedRateThrottle reads off a view: the API token login's scope."""

    throttle_scope = "login"


class _AddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (its cache keys, so one counter with the API's token login),
    with the rate read now rather than from the class attribute DRF fixed at import, as
    `signin.throttle` reads its own: a changed setting (a test's, say) applies."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


def address_throttle_allows(request) -> bool:
    """Count one sign-in attempt from the request's client address against the `login` rate
    (DJANGO_LOGIN_RATE), in the same counter as the API's token login."""
    return _AddressThrottle().allow_request(request, _LoginScope())


class SignInForm(AuthenticationForm):
    """Username, password and a one-time code (or recovery code), checked by
    `signin.services.credentials_check` with the API's limits: every attempt counts against
    the client address (`login` rate), failures against the username. The code may stay
    empty only for someone who has no authenticator yet."""

    otp = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=64,
        help_text=_(
            "From your authenticator app, or one of your recovery codes. Leave it empty if "
            "you have not set up an authenticator yet."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        if self.request is not None and not address_throttle_allows(self.request):
            raise ValidationError(THROTTLED, code="throttled")
        try:
            self.user_cache, device = services.credentials_check(
                request=self.request,
                username=username,
                password=password,
                otp=self.cleaned_data.get("otp", ""),
                address=BaseThrottle().get_ident(self.request),
            )
        except Throttled:
            raise ValidationError(THROTTLED, code="throttled") from None
        except Unauthenticated as error:
            raise ValidationError(OTP_MESSAGES[error.code], code=error.code) from None
        except ValidationError:
            raise self.get_invalid_login_error() from None
        self.confirm_login_allowed(self.user_cache)
        if device is not None:
            # django-otp's user_logged_in handler keeps the device in the session.
            self.user_cache.otp_device = device
        return self.cleaned_data


class EnrolForm(forms.Form):
    """A code from the authenticator being set up, which turns it on."""

    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def confirm(self, request) -> list[str] | None:
        """Turn the person's pending authenticator on with the form's valid code
        (`signin.services.enrolment_confirm`) and verify this session with it: the 10
        recovery codes to show once, or None with the error on `code`. Raises
        ApplicationError (409 `no_enrolment`) when nothing is being set up."""
        try:
            device, codes = services.enrolment_confirm(
                user=request.user, code=self.cleaned_data["code"]
            )
        except ValidationError as error:
            self.add_error("code", error.message_dict.get("code", error.messages))
            return None
        django_otp.login(request, device)
        return codes
