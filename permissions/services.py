"""Grants and revocations of object permissions, in response to domain events only.

No view, admin action or migration writes guardian rows directly. The domain events:
- a staff role added or removed: `network_staff_grants_sync` recomputes the person's grants
  on the network from their roles (removing one of two roles keeps what the other grants),
  their place in the network's coordinator group, and whether they may open the admin;
- an account saved: `user_agency_group_sync` keeps the person in their agency's group, and
  `user_left_revoke` takes away what a person who left it (or was deactivated) held;
- a case created: `case_created_grants` (its agency); submitted: `case_submitted_grants`
  (the network's coordinators); later events grant single people for a window
  (`case_user_grant`) and take it back (`case_user_revoke`).
The access audit's writer lives here too: reading content is an event that must be recorded.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from conferences.privacy import encryption
from config import clock
from config.errors import Forbidden
from network.models import Network, StaffRole
from permissions import rules, witness
from permissions.models import (
    AccessChainHead,
    AccessRecord,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)
from permissions.selectors import ChainReport, access_chain_networks, access_chain_verify

audit_log = logging.getLogger("renkei.audit")

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
    _coordinator_group_sync(user, network)
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


# --- Groups that carry grants -------------------------------------------------------------
# An agency's staff and a network's coordinators each form a guardian group, so a grant
# made to the group at a domain event reaches people who join later without new rows.


def agency_group(agency_id: int) -> Group:
    return Group.objects.get_or_create(name=f"agency:{agency_id}")[0]


def coordinator_group(network_id: int) -> Group:
    return Group.objects.get_or_create(name=f"coordinators:{network_id}")[0]


@transaction.atomic
def user_agency_group_sync(user) -> bool:
    """Keep a person in exactly their agency's group (none without an agency), so that
    what an agency holds (its own cases, the roles it agreed to) follows its staff.

    Called whenever an account is saved (`agencies.services.account_saved`). Returns whether
    the person was taken out of another agency's group, i.e. has left that agency."""
    wanted = {agency_group(user.agency_id)} if user.agency_id else set()
    current = set(user.groups.filter(name__startswith="agency:"))
    if stale := current - wanted:
        user.groups.remove(*stale)
    if missing := wanted - current:
        user.groups.add(*missing)
    return bool(stale)


@transaction.atomic
def user_left_revoke(user) -> None:
    """A person who left an agency (moved, or set to none) or was deactivated leaves what
    they held as its staff, at once and for good:
    - their seats as a designated person of memberships of any agency but their current
      one (of every agency once deactivated), so no meeting invites them for it again;
    - every personal grant on cases (the meetings' grants, given for the agency left);
    - their invitations for any agency but their current one (every one once deactivated)
      lapse: they open nothing any more (`permissions.selectors.standing_invitations`),
      even if the person comes back.
    What the agency itself holds needs no revoking: the person is out of its group."""
    from conferences.models import Invitation
    from network.models import Membership

    seats = Membership.objects.filter(designated_people=user)
    invitations = Invitation.objects.filter(person=user, lapsed_at__isnull=True)
    if user.is_active:
        seats = seats.exclude(agency_id=user.agency_id)
        invitations = invitations.exclude(agency_id=user.agency_id)
    Membership.designated_people.through.objects.filter(
        user=user, membership__in=seats.values("pk")
    ).delete()
    CaseUserObjectPermission.objects.filter(user=user).delete()
    invitations.update(lapsed_at=clock.now())


def _coordinator_group_sync(user, network: Network) -> None:
    group = coordinator_group(network.pk)
    coordinates = StaffRole.objects.filter(
        network=network, user=user, role=StaffRole.Role.COORDINATOR
    ).exists()
    if coordinates:
        user.groups.add(group)
    else:
        user.groups.remove(group)


# --- Grants on cases ----------------------------------------------------------------------

CASE_CODENAMES = ("view_case", "view_case_content")


def _case_group_grant(group: Group, case, codenames, source: str = "") -> None:
    for codename in codenames:
        CaseGroupObjectPermission.objects.get_or_create(
            group=group, permission=_case_permission(codename), content_object=case, source=source
        )


@transaction.atomic
def case_created_grants(case) -> None:
    """A new case (a draft) is its agency's alone: facts and content to the agency's staff."""
    _case_group_grant(agency_group(case.submitting_agency_id), case, CASE_CODENAMES)


@transaction.atomic
def case_submitted_grants(case) -> None:
    """On submission the network's coordinators (present and future) see the case."""
    _case_group_grant(coordinator_group(case.network_id), case, CASE_CODENAMES)


def role_source(role_id: int) -> str:
    return f"role:{role_id}"


@transaction.atomic
def case_role_grants(*, case, agency_id: int, role_id: int, content: bool) -> None:
    """An agency asked to take a role sees the case's facts (to answer); once it agrees it
    reads the content too (`content=True`). Granted to the agency's staff as a group, so
    people joining the agency later are covered and people leaving are not."""
    group = agency_group(agency_id)
    _case_group_grant(group, case, ["view_case"], role_source(role_id))
    if content:
        _case_group_grant(group, case, ["view_case_content"], role_source(role_id))
    else:
        _role_rows(case, role_id).filter(permission__codename="view_case_content").delete()


def _role_rows(case, role_id: int | None = None):
    rows = CaseGroupObjectPermission.objects.filter(content_object=case)
    if role_id is None:
        return rows.filter(source__startswith="role:")
    return rows.filter(source=role_source(role_id))


@transaction.atomic
def case_role_revoke(*, case, role_id: int) -> int:
    """A role withdrawn (or given to another agency): what it granted goes."""
    return _role_rows(case, role_id).delete()[0]


@transaction.atomic
def case_roles_content_revoke(*, case) -> int:
    """The case is closed: role holders keep its facts and their own tasks, not its
    content."""
    return _role_rows(case).filter(permission__codename="view_case_content").delete()[0]


@transaction.atomic
def case_user_grant(
    *,
    case,
    user,
    source: str,
    content: bool,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> None:
    """Grant one person the case's facts (and its content if `content`), for the window
    [valid_from, valid_until) when given, on behalf of the domain event named `source`
    (e.g. "meeting:12"). Granting again from the same source moves the window."""
    codenames = ["view_case", "view_case_content"] if content else ["view_case"]
    for codename in codenames:
        CaseUserObjectPermission.objects.update_or_create(
            user=user,
            content_object=case,
            permission=_case_permission(codename),
            source=source,
            defaults={"valid_from": valid_from, "valid_until": valid_until},
        )


@transaction.atomic
def case_user_revoke(*, case, source: str, user=None) -> int:
    """Withdraw what the domain event `source` granted on the case (to one person or all)."""
    rows = CaseUserObjectPermission.objects.filter(content_object=case, source=source)
    if user is not None:
        rows = rows.filter(user=user)
    return rows.delete()[0]


@transaction.atomic
def case_grants_bulk(
    *,
    cases,
    users,
    source: str,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> None:
    """Grant every person every case, as `case_user_grant` does one by one (facts for good
    under `<source>:facts`, content for the window under `source`), in a fixed number of
    queries: convening a meeting of twenty people and five cases is one insert per kind."""
    view, content = _case_permission("view_case"), _case_permission("view_case_content")
    rows = []
    for case in cases:
        for user in users:
            rows.append(
                CaseUserObjectPermission(
                    user=user, content_object=case, permission=view, source=f"{source}:facts"
                )
            )
            for permission in (view, content):
                rows.append(
                    CaseUserObjectPermission(
                        user=user,
                        content_object=case,
                        permission=permission,
                        source=source,
                        valid_from=valid_from,
                        valid_until=valid_until,
                    )
                )
    CaseUserObjectPermission.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "permission", "content_object", "source"],
        update_fields=["valid_from", "valid_until"],
    )


def expired_grants_delete(*, now: datetime) -> int:
    """Delete time-limited grants whose window has closed. Housekeeping only: the selectors
    already ignore them at read time."""
    return CaseUserObjectPermission.objects.filter(valid_until__lte=now).delete()[0]


def _case_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="conferences", codename=codename)


# --- The access audit ---------------------------------------------------------------------


def access_chain_key(network_id: int) -> bytes:
    """The key of a network's access chain, derived from the keyring's hash key: whoever
    holds only the database cannot recompute a rewritten stretch of the chain."""
    return encryption.derived_key(f"access-chain:{network_id}")


def access_record_hash(
    key: bytes, *, previous_hash: str, network_id, sequence, at, person_id, case_id, fields, via
) -> str:
    """HMAC-SHA256 over the record's content and the previous record's hash (canonical
    JSON), under the network's chain key."""
    payload = json.dumps(
        {
            "previous": previous_hash,
            "network": network_id,
            "sequence": sequence,
            "at": at.isoformat(),
            "person": person_id,
            "case": case_id,
            "fields": list(fields),
            "via": via,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def access_head_mac(key: bytes, *, sequence: int, last_hash: str) -> str:
    """The head's own MAC, so the chain cannot be cut short and the head rewound by
    someone who holds only the database."""
    return hmac.new(key, f"head|{sequence}|{last_hash}".encode(), hashlib.sha256).hexdigest()


def second_factor_require(*, person, network: Network) -> None:
    """Raise 403 `otp_required` unless the person's sign-in satisfies the network's
    second-factor rule (`rules.second_factor_satisfied`)."""
    if not rules.second_factor_satisfied(person, network):
        raise Forbidden(
            "otp_required",
            _(
                "This network shows case content only to sign-ins made with a second "
                "factor: sign in again with a code from your authenticator app."
            ),
        )


@transaction.atomic
def access_record_write(*, person, case, fields: list[str], via: str) -> AccessRecord:
    """Append one record to the case's network's access chain.

    Call it inside the transaction that produces the response carrying the content: if the
    record cannot be written, the content is not returned. Appends are serialised per
    network by locking the chain's head row. Each new head is also logged (logger
    `renkei.audit`), an anchor outside the database for whoever keeps the logs.

    It is also the choke point of the second factor: every response carrying case content
    passes here, so a sign-in the network's rule refuses raises 403 `otp_required` (and the
    surrounding transaction, with whatever it wrote, is rolled back) before anything is
    recorded or returned.
    """
    return access_records_write(person=person, cases=[case], fields=fields, via=via)[0]


def access_records_write(*, person, cases, fields: list[str], via: str) -> list[AccessRecord]:
    """`access_record_write` for one response carrying several cases' content: one record
    per case, in the order given, each network's head locked once and its records created
    in one statement (the same chain as one by one), so a page of many cases costs no more
    queries than one of a single case."""
    by_network: dict[int, list] = {}
    for case in cases:
        by_network.setdefault(case.network_id, []).append(case)
    written = []
    for network_id, group in by_network.items():
        AccessChainHead.objects.get_or_create(network_id=network_id)
        head = (
            AccessChainHead.objects.select_for_update(of=("self",))
            .select_related("network")
            .get(network_id=network_id)
        )
        # The network comes with the head (no query of its own); a refusal rolls back the
        # head created above, so nothing is written.
        second_factor_require(person=person, network=head.network)
        key = access_chain_key(network_id)
        at = clock.now()
        records = []
        for case in group:
            sequence = head.sequence + 1
            digest = access_record_hash(
                key,
                previous_hash=head.hash,
                network_id=network_id,
                sequence=sequence,
                at=at,
                person_id=person.pk,
                case_id=case.pk,
                fields=fields,
                via=via,
            )
            records.append(
                AccessRecord(
                    network_id=network_id,
                    sequence=sequence,
                    at=at,
                    person=person,
                    case=case,
                    fields=list(fields),
                    via=via,
                    previous_hash=head.hash,
                    hash=digest,
                )
            )
            head.sequence, head.hash = sequence, digest
        AccessRecord.objects.bulk_create(records)
        head.mac = access_head_mac(key, sequence=head.sequence, last_hash=head.hash)
        head.save(update_fields=["sequence", "hash", "mac"])
        for record in records:
            audit_log.info("access chain %s head %s %s", network_id, record.sequence, record.hash)
        written.extend(records)
    return written


@dataclass(frozen=True)
class WitnessRun:
    """What `access_chain_witness` did: per network checked, its report and whether its head
    was witnessed (a chain that does not verify is not)."""

    reports: list[tuple[int, ChainReport, bool]]
    unreadable: list[int]  # line numbers of the witness that are no witness line

    @property
    def refused(self) -> list[tuple[int, ChainReport]]:
        return [(network, report) for network, report, written in self.reports if not written]


def access_chain_witness(*, now: datetime) -> WitnessRun:
    """Append each network's chain head to the configured witness (`AUDIT_WITNESS`), one
    keyed line per network: `manage.py audit_witness`, run daily.

    Every chain is verified first, against the witness lines already written where the
    service can read them back; a chain that fails (cut short, altered, rewritten) is
    reported and not witnessed, so that a fresh line never blesses a tampered chain. A
    chain that agrees but whose witness holds a line failing its MAC is witnessed and
    reported all the same. Lines are only ever appended (see `witness.witness_append`).
    Raises WitnessError when no witness is configured, or it cannot be read or written;
    nothing is witnessed then.
    """
    target = witness.configured_witness()
    if target is None:
        raise witness.WitnessError("AUDIT_WITNESS is not set: there is nowhere to write")
    try:
        written = witness.witness_read(target.path) if target.readable else None
    except OSError as error:
        raise witness.WitnessError(f"the witness cannot be read: {error}") from error
    at = timezone.localtime(now).isoformat()
    lines, reports = [], []
    for network in access_chain_networks(written):
        report = access_chain_verify(network, witness=written)
        witnessed = report.first_broken is None and report.head is not None
        if witnessed:
            sequence, last_hash = report.head
            lines.append(
                witness.witness_line_text(
                    access_chain_key(network.pk),
                    network=network.pk,
                    sequence=sequence,
                    last_hash=last_hash,
                    at=at,
                )
            )
        reports.append((network.pk, report, witnessed))
    witness.witness_append(target, lines)
    for network_id, report, witnessed in reports:
        if witnessed:
            audit_log.info("access chain %s witnessed at head %s", network_id, report.head[0])
        else:
            audit_log.error(
                "access chain %s not witnessed: %s", network_id, report.as_dict(network_id)
            )
    return WitnessRun(reports, written.unreadable if written is not None else [])
