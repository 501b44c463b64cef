"""Writes to the agency registry and staff accounts. Callers have checked who may do it.

An account's save is a domain event (`account_saved`, run by agencies.signals for every
save, whichever door it came through: `user_update`, `password_set`, the admin's forms, a
management command): moving a person to another agency or to none, deactivating them, and
a new password take effect there, inside the saving transaction.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import SESSION_KEY, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from knox.models import get_token_model

from agencies import sessions
from agencies.models import Agency, Qualification, User
from permissions import services as grants

AGENCY_FIELDS = frozenset(
    {
        "name",
        "name_kana",
        "sector",
        "address",
        "phone",
        "email",
        "website",
        "contact_route",
        "can_take_on",
        "conditions",
        "active",
    }
)


def _clean_qualifications(qualifications: list[str]) -> list[str]:
    unknown = [q for q in qualifications if q not in Qualification.values]
    if unknown:
        raise ValidationError(
            {
                "qualifications": [
                    _("Unknown qualification: %(code)s") % {"code": c} for c in unknown
                ]
            }
        )
    return list(dict.fromkeys(qualifications))  # keep order, drop repeats


def _save_unique(obj, field: str, message: str, **save_kwargs) -> None:
    """Save, turning a lost race on a unique column into the same 400 that `full_clean`
    gives when there is no race (two requests registering one name at once)."""
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            obj.save(**save_kwargs)
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


def _refuse_unknown_fields(fields: dict) -> None:
    # A misspelt keyword (`activ=False`) must not be dropped silently.
    unknown = sorted(set(fields) - AGENCY_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})


@transaction.atomic
def agency_create(**fields) -> Agency:
    """Register an agency. Raises ValidationError for unknown fields or a duplicate name."""
    _refuse_unknown_fields(fields)
    agency = Agency(**fields)
    agency.full_clean()
    _save_unique(agency, "name", _("An agency with this name already exists."))
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **fields) -> Agency:
    """Change an agency's profile; only the named fields are written.

    Raises ValidationError for unknown fields or a name another agency holds.
    """
    _refuse_unknown_fields(fields)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    changed = list(fields)
    for name in changed:
        setattr(agency, name, fields[name])
    agency.full_clean()
    _save_unique(
        agency,
        "name",
        _("An agency with this name already exists."),
        update_fields=[*changed, "updated_at"],
    )
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str,
    email: str = "",
    agency: Agency | None = None,
    job_title: str = "",
    qualifications: list[str] | None = None,
) -> User:
    """Create a staff account. The password goes through Django's validators.

    Raises ValidationError (field errors) for a weak password, a taken username (compared
    without regard to case: "Tanaka" and "tanaka" would be one person to everyone reading
    a list), unknown qualifications or an inactive agency.
    """
    if agency is not None and not agency.active:
        raise ValidationError({"agency": [_("This agency is inactive.")]})
    taken = _("A user with that username already exists.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [taken]})
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        agency=agency,
        job_title=job_title,
        qualifications=_clean_qualifications(qualifications or []),
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    _save_unique(user, "username", taken)
    return user


# --- changing an account ------------------------------------------------------------------

USER_FIELDS = frozenset(
    {"display_name", "email", "job_title", "qualifications", "is_active", "agency"}
)


@transaction.atomic
def user_update(*, user: User, **fields) -> User:
    """Change an account; only the named fields are written (`USER_FIELDS`). Who may change
    which field (`agency` is the platform admin's) is the caller's to check.

    Moving the person to another agency or to none, or deactivating them, ends at once
    (`account_saved`, in this transaction) their API tokens, their sessions, their seats
    as a designated person of the agency left, and every access their invitations and that
    agency gave them. Raises ValidationError for unknown fields, an empty display name, a
    malformed e-mail, unknown qualifications or an inactive agency.
    """
    unknown = sorted(set(fields) - USER_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    user = User.objects.select_for_update().get(pk=user.pk)
    agency = fields.get("agency")
    if agency is not None and agency.pk != user.agency_id and not agency.active:
        raise ValidationError({"agency": [_("This agency is inactive.")]})
    if "qualifications" in fields:
        fields["qualifications"] = _clean_qualifications(fields["qualifications"])
    if "display_name" in fields and not (fields["display_name"] or "").strip():
        raise ValidationError({"display_name": [_("Enter a display name.")]})
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    user.full_clean(exclude=["password"])
    if changed:
        user.save(update_fields=changed)
    return user


# --- signing in and out -------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """One sign-in of a person: the session key or the API token's digest it came with."""

    session_key: str | None = None
    token_digest: str | None = None


# The sign-in that changes its own person's password stays signed in: `password_set` says
# which it is for the duration of its save, and `account_saved` (run by that save) spares it.
_kept_signin: ContextVar[SignIn | None] = ContextVar("kept_signin", default=None)


def signin_of(request) -> SignIn:
    """The sign-in a request was made with: its knox token, or its signed-in session."""
    token = getattr(request, "auth", None)
    digest = getattr(token, "digest", None) if isinstance(token, get_token_model()) else None
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    signed_in = (
        session is not None
        and user is not None
        and session.get(SESSION_KEY) == str(getattr(user, "pk", None))
    )
    return SignIn(session_key=session.session_key if signed_in else None, token_digest=digest)


def signins_end(*, user: User, keep: SignIn | None = None) -> None:
    """End every API token and session of the person but `keep`'s, at once."""
    keep = keep or SignIn()
    tokens = get_token_model().objects.filter(user=user)
    if keep.token_digest:
        tokens = tokens.exclude(digest=keep.token_digest)
    tokens.delete()
    sessions.sessions_end(user, keep=keep.session_key)


@transaction.atomic
def password_set(*, user: User, password: str, request=None) -> User:
    """Give the person a new password (Django's validators apply: 400 on `password`) and end
    every other sign-in of theirs. When they change their own (`request` is theirs), the
    token or session making the request stays signed in: the session under a new key
    (Django's `update_session_auth_hash`); every other path (a platform admin setting
    someone's password) ends them all.
    """
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    own = request is not None and getattr(request.user, "pk", None) == user.pk
    keep = signin_of(request) if own else SignIn()
    reset = _kept_signin.set(keep)
    try:
        user.set_password(password)
        user.save(update_fields=["password"])
    finally:
        _kept_signin.reset(reset)
    if keep.session_key:
        update_session_auth_hash(request, user)
    return user


ACCOUNT_STATE = ("agency_id", "is_active", "password")


def account_saved(user: User, *, before: dict | None) -> None:
    """The domain event of an account's save, whatever saved it; `before` holds the stored
    `ACCOUNT_STATE` just before the save (None for a new account). Runs inside the saving
    transaction, so everything below happens with the change or not at all:

    - the person is in exactly their agency's group (what the agency holds follows them);
    - moved to another agency or to none, or deactivated: their seats, meeting grants and
      invitations of the agency left end (`permissions.services.user_left_revoke`), and so
      do every API token and session of theirs; deactivated, their calendar feed's secret;
    - a new password: every API token and session of theirs, but the sign-in that changed
      it (see `password_set`; Django's own password views keep their session the same way,
      by saving it again under a new key after the change).
    """
    left = grants.user_agency_group_sync(user)
    if before is None:
        return
    moved = left or before["agency_id"] != user.agency_id
    deactivated = before["is_active"] and not user.is_active
    if moved or deactivated:
        grants.user_left_revoke(user)
        signins_end(user=user)
        if deactivated:
            from conferences.meetings.calendars import calendar_token_revoke

            calendar_token_revoke(user)
    elif before["password"] != user.password:
        signins_end(user=user, keep=_kept_signin.get() or SignIn())
