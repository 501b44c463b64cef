"""Every write to networks, memberships, staff roles and pledges.

Callers (views, the admin, load_demo) have already decided who may act; these functions
enforce the domain rules, raise `ValidationError` (400, field errors) or `ApplicationError`
(with a code), and keep each change in one transaction.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from config import clock
from config.errors import Conflict
from network.fiscal import fiscal_year_of
from network.models import ConfidentialityPledge, Membership, Network, StaffRole
from permissions import services as permission_services
from permissions.services import network_staff_grants_sync

audit_log = logging.getLogger("renkei.audit")

NETWORK_FIELDS = frozenset(
    {
        "name",
        "municipality",
        "secretariat_agency",
        "content_window_days",
        "suppression_threshold",
        "retention_years",
        "pledge_text",
        "require_two_factor",
        "legal_basis",
        "legal_basis_note",
        "review_interval_months",
    }
)


def _require_active_agency(agency: Agency, field: str) -> None:
    if not agency.active:
        raise ValidationError({field: [_("This agency is inactive.")]})


@transaction.atomic
def network_create(**fields) -> Network:
    network = Network(**{k: v for k, v in fields.items() if k in NETWORK_FIELDS})
    _require_active_agency(network.secretariat_agency, "secretariat_agency")
    network.full_clean()
    network.save()
    return network


@transaction.atomic
def network_update(*, network: Network, actor: User | None = None, **fields) -> Network:
    """Change a network's settings. A changed pledge text gets a new version number, so
    pledges record which wording each person signed.

    Turning the second factor off opens case content to password-only sign-ins, so a person
    does it only from a sign-in the network's rule accepts (403 `otp_required` otherwise: a
    stolen password alone must not lower the bar). `actor=None` is the service's own
    (commands such as `load_demo`)."""
    network = Network.objects.select_for_update().get(pk=network.pk)
    changed = [k for k in fields if k in NETWORK_FIELDS and getattr(network, k) != fields[k]]
    if "require_two_factor" in changed and actor is not None and not fields["require_two_factor"]:
        permission_services.second_factor_require(person=actor, network=network)
    for name in changed:
        setattr(network, name, fields[name])
    if "secretariat_agency" in changed:
        _require_active_agency(network.secretariat_agency, "secretariat_agency")
    if "pledge_text" in changed:
        network.pledge_text_version += 1
        changed.append("pledge_text_version")
    network.full_clean()
    if changed:
        network.save(update_fields=changed)
    if "require_two_factor" in changed:
        # Turning the second factor off opens content to password-only sign-ins: on record.
        audit_log.info(
            "network %s require_two_factor set to %s by %s",
            network.pk,
            network.require_two_factor,
            actor.pk if actor is not None else "the service",
        )
    return network


@transaction.atomic
def staff_role_add(*, network: Network, user: User, role: str) -> tuple[StaffRole, bool]:
    """Give a person a staff role and the grants that go with it. Adding a role the person
    already holds changes nothing and returns it with `created=False`."""
    if not user.is_active:
        raise ValidationError({"user": [_("This account is inactive.")]})
    if role not in StaffRole.Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    staff_role, created = StaffRole.objects.get_or_create(network=network, user=user, role=role)
    network_staff_grants_sync(user=user, network=network)
    return staff_role, created


def staff_role_is_last_coordinator(staff_role: StaffRole) -> bool:
    """Whether removing this role would leave its network without a coordinator."""
    if staff_role.role != StaffRole.Role.COORDINATOR:
        return False
    others = StaffRole.objects.filter(
        network_id=staff_role.network_id, role=StaffRole.Role.COORDINATOR
    ).exclude(pk=staff_role.pk)
    return not others.exists()


@transaction.atomic
def staff_role_remove(*, staff_role: StaffRole) -> None:
    """Take a staff role away and revoke what it granted.

    Raises Conflict `last_coordinator` rather than leave a network nobody can run.
    """
    # Lock the network so two removals cannot each see "one more left".
    Network.objects.select_for_update().filter(pk=staff_role.network_id).first()
    if staff_role_is_last_coordinator(staff_role):
        raise Conflict(
            "last_coordinator", _("A network needs at least one coordinator; add another first.")
        )
    staff_role.delete()
    network_staff_grants_sync(user=staff_role.user, network=staff_role.network)


def membership_validate(
    *,
    membership: Membership,
    designated_people: list[User] | None,
) -> None:
    """Raise ValidationError (field errors) if the membership breaks a domain rule: a term
    ending before it starts, a seat given to an inactive agency, a designated person of
    another agency, or an overlapping term for the same agency and tier. The admin form
    calls it too."""
    errors: dict[str, list[str]] = {}
    if membership.ends_on and membership.ends_on < membership.starts_on:
        errors["ends_on"] = [_("The end date must not be before the start date.")]
    # A seat already held by an agency that later became inactive may still be edited (to
    # end its term, say); giving a seat to an inactive agency, new or moved, may not.
    if not membership.agency.active and (
        membership._state.adding
        or Membership.objects.filter(pk=membership.pk)
        .exclude(agency_id=membership.agency_id)
        .exists()
    ):
        errors["agency"] = [_("This agency is inactive.")]
    if designated_people is not None:
        outsiders = [p for p in designated_people if p.agency_id != membership.agency_id]
        if outsiders:
            # Name outsiders by account id only: any id can be sent here, and echoing the
            # person's name would show a coordinator the names of people they may not list.
            errors["designated_people"] = [
                _("Account #%(id)s does not belong to %(agency)s.")
                % {"id": p.pk, "agency": membership.agency.name}
                for p in outsiders
            ]
    if not errors:
        overlapping = (
            Membership.objects.filter(
                network=membership.network, agency=membership.agency, tier=membership.tier
            )
            .exclude(pk=membership.pk)
            .filter(starts_on__lte=membership.ends_on or date.max)
            .exclude(ends_on__lt=membership.starts_on)
        )
        if overlapping.exists():
            errors["starts_on"] = [
                _("This agency already has a membership in this tier for an overlapping term.")
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def membership_create(
    *,
    network: Network,
    agency: Agency,
    tier: str,
    starts_on: date,
    ends_on: date | None = None,
    designated_people: list[User] | None = None,
) -> Membership:
    """Seat an agency in one tier of a network.

    Raises ValidationError when a designated person is not the agency's staff, the term ends
    before it starts, or the agency already sits in that tier for an overlapping term.
    """
    # Serialise writes to one network's memberships so the overlap check holds.
    Network.objects.select_for_update().filter(pk=network.pk).first()
    membership = Membership(
        network=network, agency=agency, tier=tier, starts_on=starts_on, ends_on=ends_on
    )
    people = list(designated_people or [])
    membership_validate(membership=membership, designated_people=people)
    membership.full_clean()
    membership.save()
    membership.designated_people.set(people)
    return membership


@transaction.atomic
def membership_update(
    *, membership: Membership, designated_people: list[User] | None = None, **fields
) -> Membership:
    """Change a membership's term, tier or designated people (same rules as creating)."""
    Network.objects.select_for_update().filter(pk=membership.network_id).first()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    changed = [k for k in ("agency", "tier", "starts_on", "ends_on") if k in fields]
    for name in changed:
        setattr(membership, name, fields[name])
    people = list(designated_people) if designated_people is not None else None
    if people is None and "agency" in changed:
        people = list(membership.designated_people.all())
    membership_validate(membership=membership, designated_people=people)
    membership.full_clean()
    if changed:
        membership.save(update_fields=changed)
    if people is not None:
        membership.designated_people.set(people)
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Remove a membership entered by mistake. To end a seat, set `ends_on` instead."""
    membership.delete()


@transaction.atomic
def pledge_sign(
    *, person: User, network: Network, text_version: int | None = None
) -> tuple[ConfidentialityPledge, bool]:
    """Sign the network's confidentiality pledge for the current fiscal year.

    `text_version`, when given, must be the version the person was shown (400 otherwise), so
    nobody signs a wording that changed under them. Signing twice in a year changes nothing
    and returns the existing pledge with `created=False`.
    """
    # Read the version under the lock `network_update` takes: the caller's copy of the
    # network may predate a change of wording, and a concurrent change must not slip between
    # the check and the write.
    network = Network.objects.select_for_update().get(pk=network.pk)
    if text_version is not None and text_version != network.pledge_text_version:
        raise ValidationError(
            {
                "text_version": [
                    _("The pledge text has changed; read the current version and sign again.")
                ]
            }
        )
    now = clock.now()
    return ConfidentialityPledge.objects.get_or_create(
        person=person,
        network=network,
        fiscal_year=fiscal_year_of(now),
        defaults={"text_version": network.pledge_text_version, "signed_at": now},
    )
