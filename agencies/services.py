"""Writes to the agency registry and staff accounts. Callers have checked who may do it."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
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


@transaction.atomic
def agency_create(**fields) -> Agency:
    """Register an agency. Raises ValidationError for unknown fields or a duplicate name."""
    agency = Agency(**{k: v for k, v in fields.items() if k in AGENCY_FIELDS})
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **fields) -> Agency:
    """Change an agency's profile; only the named fields are written."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    changed = [k for k in fields if k in AGENCY_FIELDS]
    for name in changed:
        setattr(agency, name, fields[name])
    agency.full_clean()
    agency.save(update_fields=[*changed, "updated_at"])
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

    Raises ValidationError (field errors) for a weak password, a taken username, unknown
    qualifications or an inactive agency.
    """
    if agency is not None and not agency.active:
        raise ValidationError({"agency": [_("This agency is inactive.")]})
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
    user.save()
    return user
