"""HTTP conventions around the views: errors under /api/ in the contract's JSON, no copies of
responses in caches, and safe file names for downloads.

Django answers some requests before any API view runs: an unknown URL (404), a body over
DATA_UPLOAD_MAX_MEMORY_SIZE read outside a view (413), a request it finds suspicious
(400), and its own failures (500). Its pages are HTML, for the admin; under /api/ the
handlers below answer `{"detail": "…", "code": "…"}` like every API view instead.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions

from config.inputs import one_line

API_PREFIX = "/api/"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class BadRequest(exceptions.APIException):
    status_code = 400
    default_detail = _("The request could not be understood.")
    default_code = "bad_request"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(error: exceptions.APIException) -> JsonResponse:
    """The contract's `{"detail", "code"}` body for `error`, outside DRF's views."""
    return JsonResponse(
        {"detail": str(error.detail), "code": error.default_code},
        status=error.status_code,
        json_dumps_params={"ensure_ascii": False},
    )


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: 413 for a body over the limit, 400 for anything else Django refuses."""
    if not _is_api(request):
        return defaults.bad_request(request, exception, template_name)
    if isinstance(exception, RequestDataTooBig):
        return api_error(RequestTooLarge())
    return api_error(BadRequest())


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    if not _is_api(request):
        return defaults.permission_denied(request, exception, template_name)
    return api_error(exceptions.PermissionDenied())


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if not _is_api(request):
        return defaults.page_not_found(request, exception, template_name)
    return api_error(exceptions.NotFound())


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if not _is_api(request):
        return defaults.server_error(request, template_name)
    return api_error(exceptions.APIException())


class NoStoreMiddleware:
    """Every response but the static assets (the API, the admin, the web pages) is marked
    `Cache-Control: no-store` (with Django's never-cache headers): they carry case content
    or personal data, which must not stay in a browser's cache, a proxy or a shared
    computer's disk. Static assets stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response


def attachment(filename: str) -> str:
    """A `Content-Disposition: attachment` value for `filename`: control characters and
    line breaks replaced (they would split the header), quotes escaped, and non-ASCII names
    percent-encoded (RFC 6266 `filename*`)."""
    return content_disposition_header(True, one_line(filename) or "download")
