"""Writes to the agency registry and staff accounts. Callers have checked who may do it."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, Qualification, User

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
