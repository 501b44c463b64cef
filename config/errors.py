"""The one application error type that services raise.

A service never returns HTTP responses; it raises `ApplicationError` (or one of the
subclasses naming a status) with a stable `code`, and `config.api.exception_handler` turns it
into the contract's `{"detail": "…", "code": "…"}` shape.
"""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A domain rule refused an operation.

    `code` is a stable English identifier clients may branch on; `message` is shown to
    people (translated); `extra` adds fields to the response body (e.g. a list of unmet rules).
    """

    status_code = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, code: str, message=None, *, extra: dict | None = None):
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else self.default_message
        self.extra = extra or {}


class Unauthenticated(ApplicationError):
    """The credentials sent do not sign the person in (401), e.g. a missing or wrong
    one-time code."""

    status_code = 401
    default_message = _("Authentication failed.")


class Forbidden(ApplicationError):
    """The person can see the thing but may not do this to it (403)."""

    status_code = 403
    default_message = _("You do not have permission to perform this action.")


class Conflict(ApplicationError):
    """The thing's current state does not allow the transition (409)."""

    status_code = 409
    default_message = _("The current state does not allow this.")


class IntegrityAlarm(ApplicationError):
    """Stored data failed its integrity check (a sealed value that does not belong where it
    is): 500, logged as critical, with nothing of the data in the response."""

    status_code = 500
    default_message = _("Stored data failed its integrity check; the service operator is alerted.")
