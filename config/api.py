"""API conventions shared by every app: pagination and the error shapes of the contract."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ApplicationError
from config.http import BadRequest, RequestTooLarge


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}` with `?page=` and `?page_size=` (at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _field_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            field: [m for e in errs for m in e.messages] for field, errs in error.error_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    """Map every error to the contract's shapes.

    - field validation: 400 `{"field": ["message"]}` (DRF's own shape);
    - everything else: `{"detail": "…", "code": "…"}` with the status of the error:
      401 not logged in, 403 not yours to do, 404 not yours to see (or absent),
      409 a transition the state does not allow, 413 a body over the size limit, plus
      any `extra` the service attached.
    """
    if isinstance(exc, ApplicationError):
        body = {"detail": str(exc.message), "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # too many fields, a malformed header...
        exc = BadRequest()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(response.data, list):
            response.data = {"non_field_errors": response.data}
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = {"detail": str(exc.detail), "code": code}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response.status_code = status.HTTP_401_UNAUTHORIZED
    return response
