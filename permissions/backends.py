"""Permissions that follow from where a person sits, answered through `user.has_perm`.

Guardian's backend answers the grants written by `permissions.services` (a coordinator's
`coordinate_network`, say). This backend answers what is derived at read time from the
source of truth, so nothing has to be revoked when a term ends:

- `network.view_network` on a network: the person's agency holds a membership whose term
  covers today (either tier);
- `agencies.manage_agency` on an agency: the person coordinates every network the agency
  sits in or runs (an agency in no network yet included), see `manageable_agencies`;
- `agencies.change_agency` on an agency (its public profile): `manage_agency`, its own
  staff, or a coordinator of any network it sits in;
- `agencies.change_user` on an account: a coordinator managing the account's agency, unless
  the account is a platform admin's or holds a staff role in a network they do not
  coordinate;
- `agencies.add_agency` (no object): the person coordinates some network;
- `conferences.add_case` on a network: staff of an agency seated now in its practitioners'
  tier, unless auditor or representative only there;
- `conferences.change_case` on a case: staff of its submitting agency (whether they see the
  case at all is `permissions.selectors.case_access`'s to say, first).

Platform administrators get every permission from Django's ModelBackend already, which is
why case access is never decided by `has_perm` alone.
"""

from django.contrib.auth.backends import BaseBackend
from guardian.backends import ObjectPermissionBackend

from agencies.models import Agency, User
from conferences.models import Case
from config import clock
from network.models import Membership, Network, StaffRole, Tier
from permissions import rules, selectors


def _sits_in_current_membership(user, network: Network) -> bool:
    if not user.agency_id:
        return False
    return (
        Membership.objects.current(clock.today())
        .filter(network=network, agency_id=user.agency_id)
        .exists()
    )


def _manages_agency(user, agency: Agency) -> bool:
    return selectors.manageable_agencies(user).filter(pk=agency.pk).exists()


def _changes_agency(user, agency: Agency) -> bool:
    if user.agency_id == agency.pk or _manages_agency(user, agency):
        return True
    # Coordinators keep the public profile of every agency in their networks up to date,
    # even one that also sits elsewhere (managing it is another matter).
    return selectors.agencies_in_coordinated_networks(user).filter(pk=agency.pk).exists()


def _changes_user(user, account: User) -> bool:
    """Coordinators change the accounts of agencies they manage, unless the account is a
    platform admin's or holds a staff role in a network they do not coordinate (it acts
    where they have no say)."""
    if account.is_superuser or account.agency_id is None:
        return False
    if not selectors.manageable_agencies(user).filter(pk=account.agency_id).exists():
        return False
    elsewhere = StaffRole.objects.filter(user=account).exclude(
        network__in=selectors.coordinated_networks(user).values("pk")
    )
    return not elsewhere.exists()


def _submits_cases(user, network: Network) -> bool:
    """Staff of an agency seated now in the network's practitioners' tier, unless their
    capacity there bars case access (auditors, representatives only)."""
    if not user.agency_id:
        return False
    today = clock.today()
    seated = Membership.objects.current(today).filter(
        network=network, agency_id=user.agency_id, tier=Tier.PRACTITIONERS
    )
    barred = Network.objects.filter(
        selectors.networks_without_case_access(user, today, field="pk"), pk=network.pk
    )
    return seated.exists() and not barred.exists()


def _writes_case(user, case) -> bool:
    return user.agency_id is not None and user.agency_id == case.submitting_agency_id


RULES = {
    ("conferences.add_case", Network): _submits_cases,
    ("conferences.change_case", Case): _writes_case,
    ("network.view_network", Network): _sits_in_current_membership,
    ("agencies.manage_agency", Agency): _manages_agency,
    ("agencies.change_agency", Agency): _changes_agency,
    ("agencies.change_user", User): _changes_user,
}


class MembershipBackend(BaseBackend):
    """Object permissions derived from memberships and roles; never grants without an object."""

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if obj is None:
            # Registering a new agency is open to every coordinator; it is then theirs to
            # manage until it joins a network they do not coordinate.
            return perm == "agencies.add_agency" and rules.coordinates_anywhere(user_obj)
        rule = RULES.get((perm, type(obj)))
        return bool(rule and rule(user_obj, obj))


class TimeAwareGuardianBackend(ObjectPermissionBackend):
    """Guardian's backend, except for cases: their grants may be limited in time, which
    guardian's checker does not know, so case access is answered only by
    `permissions.selectors.case_access` (and `visible_cases` for lists)."""

    def has_perm(self, user_obj, perm, obj=None):
        if isinstance(obj, Case):
            return False
        if obj is not None and "." in perm and perm.split(".", 1)[0] != obj._meta.app_label:
            # A rule of another app about this object (conferences.add_case on a network):
            # not guardian's to answer, and it would raise rather than say no.
            return False
        return super().has_perm(user_obj, perm, obj)
