"""The admin site: open only to sign-ins made with a second factor.

A staff member signs in with password and a code from their authenticator app (or a
recovery code). Someone with no authenticator yet signs in with the password alone and is
taken to set one up (a QR code served by this service, never an outside one); confirming
it with a code verifies the session and shows the recovery codes once. Sign-in failures
count like the API's (`signin.throttle`).
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp.qr import write_qrcode_image

from config.errors import ApplicationError
from permissions import rules
from signin import selectors, services
from signin.forms import EnrolForm, SignInForm


class AdminLoginForm(SignInForm, AdminAuthenticationForm):
    """The sign-in form, for staff only (Django's admin check)."""


def _needs_enrolment(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and not rules.sign_in_verified(user)
        and not selectors.two_factor_enabled(user)
    )


class SecureAdminSite(admin.AdminSite):
    """Django's admin site, for verified sign-ins only (like django-otp's OTPAdminSite),
    with self-enrolment for staff who have no authenticator yet."""

    login_form = AdminLoginForm
    login_template = "signin/admin_login.html"

    def has_permission(self, request):
        return super().has_permission(request) and rules.sign_in_verified(request.user)

    def login(self, request, extra_context=None):
        if request.method == "GET" and _needs_enrolment(request.user):
            return redirect("admin:two_factor_enrol")
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path("two-factor/", self._enrolling(self.enrol_view), name="two_factor_enrol"),
            path("two-factor/qr.svg", self._enrolling(self.qr_view), name="two_factor_qr"),
            *super().get_urls(),
        ]

    def _enrolling(self, view):
        """For staff signed in with the password, verified or not."""

        @wraps(view)
        def inner(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return redirect_to_login(
                    request.get_full_path(), reverse("admin:login", current_app=self.name)
                )
            return view(request, *args, **kwargs)

        return never_cache(csrf_protect(inner))

    def enrol_view(self, request):
        """Set up an authenticator: the QR code (and the secret, to type instead), then a
        code from the app turns it on, verifies this session and shows the recovery codes
        once."""
        user = request.user
        if selectors.two_factor_enabled(user):
            return redirect("admin:index")
        context = {**self.each_context(request), "title": _("Set up a second factor")}
        form = EnrolForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                codes = form.confirm(request)
            except ApplicationError:
                return redirect("admin:two_factor_enrol")  # nothing pending: start again
            if codes is not None:
                context["recovery_codes"] = codes
                return TemplateResponse(request, "signin/admin_enrol.html", context)
        device = selectors.pending_enrolment(user) or services.enrolment_start(user=user)
        context.update(form=form, secret=services.otpauth_secret(device))
        return TemplateResponse(request, "signin/admin_enrol.html", context)

    def qr_view(self, request):
        """The pending authenticator's otpauth URI as a QR code (SVG, drawn here)."""
        device = selectors.pending_enrolment(request.user)
        if device is None:
            raise Http404
        response = HttpResponse(content_type="image/svg+xml")
        response["Cache-Control"] = "no-store"
        write_qrcode_image(device.config_url, response)
        return response
