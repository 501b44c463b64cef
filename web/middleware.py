"""Middleware of the web pages: the idle timeout of sessions, and a service's refusal shown
as a page in words."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from config import clock
from config.errors import ApplicationError
from config.http import API_PREFIX

LAST_SEEN = "web:last_seen"
# How often the session's last-seen time is written back (seconds): not on every request.
TOUCH_EVERY = 60

IDLE_ENDED = _("You were signed out after %(minutes)s minutes without activity.")


class IdleTimeoutMiddleware:
    """End a signed-in session unused for `WEB_IDLE_MINUTES` (0: never), whatever it is used
    for (web pages, the admin, the browsable API); API tokens keep their own expiry. The
    person is sent to the login page, which says why, and comes back where they were."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        minutes = settings.WEB_IDLE_MINUTES
        session = getattr(request, "session", None)
        if minutes > 0 and session is not None and request.user.is_authenticated:
            now = clock.now().timestamp()
            last = session.get(LAST_SEEN)
            if last is not None and now - last > minutes * 60:
                logout(request)
                if request.path.startswith(API_PREFIX):
                    return self.get_response(request)  # now anonymous: the API answers 401
                messages.warning(request, IDLE_ENDED % {"minutes": minutes})
                login_url = reverse("admin:login") if request.path.startswith("/admin/") else None
                return redirect_to_login(request.get_full_path(), login_url)
            if last is None or now - last >= TOUCH_EVERY:
                session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _signed_in_now(sender, request, user, **kwargs):
    """A new sign-in counts as activity (a session's first request is its login)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = clock.now().timestamp()


REFUSAL_TITLES = {
    400: _("The request could not be carried out"),
    401: _("Sign in again"),
    403: _("Not allowed"),
    404: _("Not found"),
    409: _("Not possible in the current state"),
    422: _("Personal data found"),
    429: _("Too many attempts"),
    500: _("Something went wrong"),
}


# What marks a whole page (web/base.html's main element), as opposed to a fragment.
MAIN_MARK = b'<main id="main"'


class RefusalPageMiddleware:
    """A service's `ApplicationError` (403, 409, …) or a throttle raised under a web page
    becomes a page in words with the rule's message and its status, never a stack trace.
    The API's views answer their own errors in JSON before this sees them. A whole page
    (a refusal, a 404) answering an htmx request replaces the main content, so the words
    show where the person looks, instead of inside the fragment they acted on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        if response.status_code == 302 and response["Location"].startswith(
            resolve_url(settings.LOGIN_URL)
        ):
            # Signed out meanwhile (the idle timeout): the whole page goes to the login page,
            # which brings the person back to the page they were on, not to the fragment.
            page = request.htmx.current_url_abs_path or "/"
            redirect = HttpResponse()
            redirect["HX-Redirect"] = redirect_to_login(page).url
            redirect.cookies = response.cookies  # the message saying why, the session's end
            return redirect
        if (
            response.status_code >= 400
            and not response.has_header("HX-Retarget")
            and not response.streaming
            and MAIN_MARK in response.content
        ):
            # A whole page answered an in-place request (a refusal, a 404): it replaces the
            # main content, not the fragment's place (htmx reads these headers).
            response["HX-Retarget"] = "#main"
            response["HX-Reswap"] = "innerHTML"
            response["HX-Reselect"] = "#main > *"
        return response

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, ApplicationError):
            return refusal_page(request, exception.status_code, exception.message)
        if isinstance(exception, Throttled):
            return refusal_page(request, 429, _("Too many attempts: try again later."))
        return None


def refusal_page(request, status: int, message):
    """The page for a refusal: a heading for the status and the rule's message."""
    response = TemplateResponse(
        request,
        "web/refusal.html",
        {"title": REFUSAL_TITLES.get(status, REFUSAL_TITLES[400]), "message": message},
        status=status,
    )
    return response.render()


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its page's token (an old tab, cookies off) is
    refused in words, with the way out, instead of Django's English page."""
    return refusal_page(
        request,
        403,
        _(
            "This form could not be accepted because the page was too old or cookies are off. "
            "Open the page again and send the form once more."
        ),
    )
