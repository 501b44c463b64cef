"""Permission-aware reads: which networks a person may see, and in what capacity.

`visible_networks` (one query, for lists) and `user.has_perm("network.view_network", n)`
(one check, for objects) answer the same question; tests/permissions prove they agree.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from config import clock
from network.models import Membership, Network, StaffRole, Tier
from permissions.models import NetworkUserObjectPermission


def visible_networks(user) -> QuerySet[Network]:
    """Networks the person may see: every one for a platform admin; otherwise those where
    they hold a staff role grant or their agency holds a current membership."""
    if not user.is_authenticated or not user.is_active:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    granted = NetworkUserObjectPermission.objects.filter(
        user=user, permission__codename="view_network", content_object=OuterRef("pk")
    )
    condition = Q(Exists(granted))
    if user.agency_id:
        seated = Membership.objects.current(clock.today()).filter(
            agency_id=user.agency_id, network=OuterRef("pk")
        )
        condition |= Q(Exists(seated))
    return Network.objects.filter(condition)


@dataclass
class NetworkAccess:
    """A person's capacities in one network, as `/me/` reports them."""

    network: int
    roles: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)


ROLE_ORDER = ["coordinator", "auditor", "representative", "member"]


def network_access(user) -> list[NetworkAccess]:
    """Per visible network: roles (coordinator, auditor, representative, member) and the tiers
    the person is designated in. Two queries whatever the number of networks.

    - coordinator / auditor: a staff role in the network;
    - member: the person's agency holds a current membership (either tier);
    - representative: the person is designated in a current representatives-tier membership.
    """
    if not user.is_authenticated:
        return []
    today = clock.today()
    access: dict[int, NetworkAccess] = {}

    def entry(network_id: int) -> NetworkAccess:
        return access.setdefault(network_id, NetworkAccess(network=network_id))

    for network_id, role in StaffRole.objects.filter(user=user).values_list("network_id", "role"):
        entry(network_id).roles.append(role)

    if user.agency_id:
        memberships = (
            Membership.objects.current(today)
            .filter(agency_id=user.agency_id)
            .annotate(
                designated=Exists(
                    Membership.designated_people.through.objects.filter(
                        membership_id=OuterRef("pk"), user_id=user.pk
                    )
                )
            )
            .values_list("network_id", "tier", "designated")
        )
        for network_id, tier, designated in memberships:
            item = entry(network_id)
            if "member" not in item.roles:
                item.roles.append("member")
            if designated and tier not in item.tiers:
                item.tiers.append(tier)
                if tier == Tier.REPRESENTATIVES and "representative" not in item.roles:
                    item.roles.append("representative")

    for item in access.values():
        item.roles.sort(key=ROLE_ORDER.index)
        item.tiers.sort(key=[Tier.REPRESENTATIVES, Tier.PRACTITIONERS].index)
    return sorted(access.values(), key=lambda a: a.network)


def visible_users(user):
    """Accounts a person may list: everyone for a platform admin; otherwise their own
    agency's active staff and, for a coordinator, the active staff of the agencies they
    manage (`manageable_agencies`), so they can designate people and find the accounts
    they created."""
    from agencies.models import User

    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    condition = Q(pk=user.pk) | Q(agency__in=manageable_agencies(user).values("pk"))
    if user.agency_id:
        condition |= Q(agency_id=user.agency_id)
    return User.objects.filter(condition, is_active=True)


def coordinated_networks(user) -> QuerySet[Network]:
    """Networks the person coordinates (every network for a platform admin)."""
    if not user.is_authenticated or not user.is_active:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(
        pk__in=NetworkUserObjectPermission.objects.filter(
            user=user, permission__codename="coordinate_network"
        ).values("content_object_id")
    )


def manageable_agencies(user):
    """Agencies a person may manage (edit, activate, create staff accounts for): every one for
    a platform admin; for a coordinator, those sitting in or running a network they
    coordinate, and those sitting in no network at all (just registered)."""
    from agencies.models import Agency

    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    coordinated = coordinated_networks(user).values("pk")
    in_coordinated = Q(
        Exists(Membership.objects.filter(agency=OuterRef("pk"), network__in=coordinated))
    ) | Q(Exists(Network.objects.filter(secretariat_agency=OuterRef("pk"), pk__in=coordinated)))
    unattached = ~Q(Exists(Membership.objects.filter(agency=OuterRef("pk")))) & ~Q(
        Exists(Network.objects.filter(secretariat_agency=OuterRef("pk")))
    )
    # Agencies in no network are open to coordinators only; one query, no round trip first.
    return Agency.objects.filter(in_coordinated | (unattached & Q(Exists(coordinated))))
