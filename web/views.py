"""The shell's pages: signing in and out, one's account (password, second factor), the
confidentiality pledge, and the home page. Each validates its form, calls one service or
selector, and renders; the rules are `permissions.rules`'."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp.qr import write_qrcode_image

from agencies import services as agency_services
from config import clock
from config.errors import ApplicationError
from network import services as network_services
from permissions.selectors import networks_awaiting_pledge, own_networks
from signin import selectors as signin_selectors
from signin import services as signin_services
from signin.forms import EnrolForm, SignInForm
from web.access import page, second_factor_missing, signed_in
from web.forms import CodeForm, PledgeForm
from web.selectors import home_for


class LoginView(auth_views.LoginView):
    """Username, password and, for people with a second factor, a code from their app;
    limited as the API's token login is (`signin.forms.SignInForm`)."""

    authentication_form = SignInForm
    template_name = "web/login.html"

    def form_invalid(self, form):
        """The form again with its errors, as a 400 like every refused form here."""
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's): ends this session."""

    next_page = reverse_lazy("web:login")


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@signed_in
def account(request):
    """One's account: who, which agency, networks and this year's pledges, and the links to
    the password, the second factor and the calendar feed."""
    user = request.user
    context = {
        "networks": own_networks(user).order_by("name", "pk"),
        "two_factor": signin_selectors.two_factor_status(user),
    }
    return TemplateResponse(request, "web/account.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change one's password (the current one first): `agencies.services.password_set`,
    which keeps this session and ends every other sign-in of the person."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency_services.password_set(
                user=request.user, password=form.cleaned_data["new_password1"], request=request
            )
        except ValidationError as error:
            form.add_error("new_password2", error.message_dict.get("password", error.messages))
        else:
            messages.success(request, _("Your password is changed. Other sign-ins are ended."))
            return redirect("web:account")
    status = 400 if form.is_bound else 200
    return TemplateResponse(request, "web/password_change.html", {"form": form}, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The second factor: set up an authenticator (a QR code drawn here, and the key to type
    instead), turn it on with a code from the app, which verifies this session and shows the
    recovery codes once; or, where no network requires it, turn it off."""
    user = request.user
    enabled = signin_selectors.two_factor_enabled(user)
    next_url = _next_url(request, reverse("web:home"))
    context = {"status": signin_selectors.two_factor_status(user), "next": next_url}
    if enabled and request.POST.get("action") == "off":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                signin_services.two_factor_disable(user=user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error.message_dict.get("code", error.messages))
            else:
                messages.success(request, _("Your second factor is off."))
                return redirect("web:account")
        context.update(off_form=form)
        return TemplateResponse(request, "web/two_factor.html", context, status=400)
    if enabled and request.POST.get("action") != "renew" and not request.GET.get("renew"):
        context.update(off_form=CodeForm())
        return TemplateResponse(request, "web/two_factor.html", context)
    form = EnrolForm(request.POST if request.POST.get("action") == "confirm" else None)
    if form.is_bound and form.is_valid():
        try:
            codes = form.confirm(request)
        except ApplicationError:
            return redirect("web:two_factor")  # nothing pending: start again
        if codes is not None:
            context.update(recovery_codes=codes)
            return TemplateResponse(request, "web/two_factor_codes.html", context)
    device = signin_selectors.pending_enrolment(user) or signin_services.enrolment_start(user=user)
    context.update(form=form, secret=signin_services.otpauth_secret(device), enrolling=True)
    status = 400 if form.is_bound else 200
    return TemplateResponse(request, "web/two_factor.html", context, status=status)


@signed_in
def two_factor_qr(request):
    """The pending authenticator's otpauth URI as a QR code (SVG, drawn by this service)."""
    device = signin_selectors.pending_enrolment(request.user)
    if device is None:
        raise Http404
    response = HttpResponse(content_type="image/svg+xml")
    write_qrcode_image(device.config_url, response)
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def pledge(request):
    """This fiscal year's confidentiality pledge of each of the person's networks not yet
    signed: its text and legal basis, and a button that signs it in that wording
    (`network.services.pledge_sign`). Once none is left, on to where the person was going."""
    user = request.user
    next_url = _next_url(request, reverse("web:home"))
    if second_factor_missing(user):
        return redirect(f"{reverse('web:two_factor')}?{urlencode({'next': next_url})}")
    if request.method == "POST":
        form = PledgeForm(request.POST)
        if form.is_valid():
            network = own_networks(user).filter(pk=form.cleaned_data["network"]).first()
            if network is None:
                raise Http404
            try:
                network_services.pledge_sign(
                    person=user,
                    network=network,
                    text_version=form.cleaned_data["text_version"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("You signed the pledge of %(network)s.") % {"network": network}
                )
        return redirect(f"{reverse('web:pledge')}?{urlencode({'next': next_url})}")
    awaiting = list(networks_awaiting_pledge(user))
    if not awaiting:
        return redirect(next_url)
    return TemplateResponse(request, "web/pledge.html", {"networks": awaiting, "next": next_url})


@page
def home(request):
    """今日やること: what waits for the person today (`web.selectors.home_for`)."""
    return TemplateResponse(request, "web/home.html", {"home": home_for(request.user, clock.now())})
