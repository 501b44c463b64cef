"""Grants and revocations of object permissions, in response to domain events only.

No view, admin action or migration writes guardian rows directly: a staff role being added
or removed calls `network_staff_grants_sync`, which recomputes that person's grants on the
network from their roles (so removing one of two roles keeps what the other still grants),
and whether they may open the admin at all.
"""

from django.db import transaction
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from network.models import Network, StaffRole

# What each network staff role grants on its network.
STAFF_ROLE_GRANTS: dict[str, frozenset[str]] = {
    StaffRole.Role.COORDINATOR: frozenset({"view_network", "coordinate_network"}),
    StaffRole.Role.AUDITOR: frozenset({"view_network", "audit_network"}),
}
MANAGED_NETWORK_PERMS = frozenset().union(*STAFF_ROLE_GRANTS.values())


@transaction.atomic
def network_staff_grants_sync(*, user, network: Network) -> set[str]:
    """Make the person's guardian grants on the network match their current staff roles.

    Idempotent; returns the set of codenames the person holds afterwards.
    """
    roles = StaffRole.objects.filter(network=network, user=user).values_list("role", flat=True)
    wanted = set().union(*(STAFF_ROLE_GRANTS[role] for role in roles))
    held = set(get_perms(user, network)) & MANAGED_NETWORK_PERMS
    for codename in wanted - held:
        assign_perm(f"network.{codename}", user, network)
    for codename in held - wanted:
        remove_perm(f"network.{codename}", user, network)
    _admin_access_sync(user)
    return wanted


def _admin_access_sync(user) -> None:
    """Coordinators use the Django admin (scoped to their networks), so coordinating any
    network opens it (`is_staff`) and losing the last coordinator role closes it again.
    Platform admins keep theirs."""
    coordinates = StaffRole.objects.filter(user=user, role=StaffRole.Role.COORDINATOR).exists()
    wanted = user.is_superuser or coordinates
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])
