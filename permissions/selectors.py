"""Permission-aware reads: which networks a person may see, and in what capacity.

`visible_networks` (one query, for lists) and `user.has_perm("network.view_network", n)`
(one check, for objects) answer the same question; tests/permissions prove they agree.
"""

import hmac
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from config import clock
from network.fiscal import fiscal_year_of
from network.models import ConfidentialityPledge, Membership, Network, StaffRole, Tier
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


def own_networks(user) -> QuerySet[Network]:
    """Networks the person belongs to: a staff role there, or their agency holds a current
    membership. Unlike `visible_networks`, a platform admin belongs to none by that alone.
    One query."""
    if not user.is_authenticated:
        return Network.objects.none()
    condition = Q(Exists(StaffRole.objects.filter(user=user, network=OuterRef("pk"))))
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
    agency's active staff and, for a coordinator, the active staff of the agencies sitting
    in their networks, and all the staff (deactivated too, so they can be reactivated) of
    the agencies they manage, so they can designate people and find the accounts they
    created."""
    from agencies.models import User

    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    active = Q(pk=user.pk) | Q(agency__in=agencies_in_coordinated_networks(user).values("pk"))
    if user.agency_id:
        active |= Q(agency_id=user.agency_id)
    managed = Q(agency__in=manageable_agencies(user).values("pk"))
    return User.objects.filter((active & Q(is_active=True)) | managed)


def staff_role_candidates(user):
    """Accounts a person may give a staff role: those they may list, and those already
    holding a role in a network they coordinate (auditors often belong to no agency;
    a new one is registered by the platform admin)."""
    from agencies.models import User

    if user.is_authenticated and user.is_superuser:
        return User.objects.all()
    colleagues = StaffRole.objects.filter(network__in=coordinated_networks(user).values("pk"))
    return User.objects.filter(
        Q(pk__in=visible_users(user).values("pk")) | Q(pk__in=colleagues.values("user_id"))
    )


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


def _sits_in(networks) -> Q:
    """Agencies holding a membership in, or running the secretariat of, one of `networks`."""
    return Q(Exists(Membership.objects.filter(agency=OuterRef("pk"), network__in=networks))) | Q(
        Exists(Network.objects.filter(secretariat_agency=OuterRef("pk"), pk__in=networks))
    )


def agencies_in_coordinated_networks(user):
    """Agencies sitting in (or running) a network the person coordinates."""
    from agencies.models import Agency

    return Agency.objects.filter(_sits_in(coordinated_networks(user).values("pk")))


def manageable_agencies(user):
    """Agencies a person may manage (change whether active, create staff accounts for):
    every one for a platform admin; for a coordinator, agencies all of whose networks they
    coordinate, including agencies in no network yet. An agency that also sits in a network
    they do not coordinate is not theirs to manage: an account they created there would
    see that other network."""
    from agencies.models import Agency

    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    coordinated = coordinated_networks(user).values("pk")
    from conferences.models import Case

    seated_elsewhere = Membership.objects.filter(agency=OuterRef("pk")).exclude(
        network__in=coordinated
    )
    running_elsewhere = Network.objects.filter(secretariat_agency=OuterRef("pk")).exclude(
        pk__in=coordinated
    )
    # An agency that left another network keeps its cases there: an account made now
    # would see them.
    cases_elsewhere = Case.objects.filter(submitting_agency=OuterRef("pk")).exclude(
        network__in=coordinated
    )
    elsewhere = (
        Q(Exists(seated_elsewhere)) | Q(Exists(running_elsewhere)) | Q(Exists(cases_elsewhere))
    )
    # One query: coordinators only (EXISTS of their networks), nothing elsewhere.
    return Agency.objects.filter(Q(Exists(coordinated)) & ~elsewhere)


# --- Cases: need to know ------------------------------------------------------------------


def _valid_now(now):
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=now)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )


def _granted(user, codename: str, now) -> Q:
    """Cases on which the person holds `codename` now, through their groups or in person.

    Written as `pk IN (grant ids UNION grant ids)` rather than correlated EXISTS: the
    database then starts from the person's few grants and looks cases up by primary key,
    instead of testing every case of every network (which grows with the table)."""
    from permissions.models import CaseGroupObjectPermission, CaseUserObjectPermission

    through_group = CaseGroupObjectPermission.objects.filter(
        permission__codename=codename, group__user=user
    ).values("content_object_id")
    in_person = CaseUserObjectPermission.objects.filter(
        _valid_now(now), permission__codename=codename, user=user
    ).values("content_object_id")
    return Q(pk__in=through_group.union(in_person))


def networks_without_case_access(user, today, field: str = "network_id") -> Q:
    """Networks where the person's capacity bars case access whatever grants say: the
    auditor role (reads the access log, never cases), and representatives who are neither
    designated practitioners nor coordinators there (aggregates only)."""
    auditing = StaffRole.objects.filter(user=user, role=StaffRole.Role.AUDITOR).values("network_id")
    current = Membership.objects.current(today).filter(designated_people=user)
    representing = current.filter(tier=Tier.REPRESENTATIVES).values("network_id")
    practising = current.filter(tier=Tier.PRACTITIONERS).values("network_id")
    coordinating = StaffRole.objects.filter(user=user, role=StaffRole.Role.COORDINATOR).values(
        "network_id"
    )

    def within(networks):
        return Q(**{f"{field}__in": networks})

    return within(auditing) | (within(representing) & ~within(practising) & ~within(coordinating))


def current_pledges(now=None):
    """Confidentiality pledges of the current fiscal year (the one test of a pledge being in
    force: `permissions.rules.holds_current_pledge` and the content querysets use it)."""
    return ConfidentialityPledge.objects.filter(fiscal_year=fiscal_year_of(now or clock.now()))


def visible_cases(user):
    """Cases whose facts (code, bands, status) the person may see: one query for lists.

    Platform admins see none through the API. Facts need a `view_case` grant valid now,
    outside the networks `networks_without_case_access` bars.
    """
    from conferences.models import Case

    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return Case.objects.none()
    now = clock.now()
    return Case.objects.filter(_granted(user, "view_case", now)).exclude(
        networks_without_case_access(user, timezone.localdate(now))
    )


def content_readable_cases(user):
    """Cases whose content the person may read now: the facts rule, plus a content grant
    valid now, plus a confidentiality pledge for the case's network and the current fiscal
    year, and content that has not been purged."""
    from conferences.models import Case

    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return Case.objects.none()
    now = clock.now()
    pledged = current_pledges(now).filter(person=user, network=OuterRef("network"))
    return (
        Case.objects.filter(_granted(user, "view_case", now))
        .filter(_granted(user, "view_case_content", now))
        .filter(Exists(pledged), purged_at__isnull=True)
        .exclude(networks_without_case_access(user, timezone.localdate(now)))
    )


@dataclass(frozen=True)
class CaseAccess:
    facts: bool
    content: bool


def case_access(user, case) -> CaseAccess:
    """What the person may see of one case. The same querysets as the lists, narrowed to
    the case, so the single check and the list can never disagree."""
    facts = visible_cases(user).filter(pk=case.pk).exists()
    content = facts and content_readable_cases(user).filter(pk=case.pk).exists()
    return CaseAccess(facts=facts, content=content)


# --- The access audit ---------------------------------------------------------------------


@dataclass(frozen=True)
class WitnessCheck:
    """How a chain compares with its witness (`permissions.witness`).

    `status`: "ok"; "behind_witness" (the chain ends before a witnessed sequence: records
    were cut off); "differs" (a witnessed record is no longer the one there: the chain was
    rewritten); "bad_line" (the chain agrees, but a line for the network fails its MAC).
    `sequence` and `at` name the witness line the status is about (None when no line for
    the network verifies); `bad_lines` are the witness's line numbers that fail their MAC.
    """

    status: str
    sequence: int | None
    at: str | None
    bad_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    records: int
    first_broken: int | None  # sequence number of the first record that does not verify
    witness: WitnessCheck | None = None  # None: no witness line names the network
    head: tuple[int, str] | None = None  # (sequence, hash) of the head, when all verified

    def as_dict(self, network_id: int) -> dict:
        """The report as `/audit/verify/` and `manage.py audit_witness --verify` give it;
        `witness` only where a witness line names the network."""
        body = {
            "network": network_id,
            "ok": self.ok,
            "records": self.records,
            "first_broken": self.first_broken,
        }
        if self.witness is not None:
            body["witness"] = {
                "sequence": self.witness.sequence,
                "at": self.witness.at,
                "status": self.witness.status,
                "bad_lines": list(self.witness.bad_lines),
            }
        return body


CONFIGURED_WITNESS = object()


@contextmanager
def _one_snapshot():
    """A transaction whose reads all see the same committed state, so that a chain's records
    and its head agree while other requests keep appending. SQLite's transactions read one
    snapshot already; PostgreSQL's default (read committed) gives each statement its own,
    so ask for repeatable read, unless already inside a transaction, where it is too late
    to ask (there the caller decides)."""
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def access_chain_verify(network, *, witness=CONFIGURED_WITNESS) -> ChainReport:
    """Walk a network's access chain end to end, then hold it against its witness.

    A record altered (its keyed hash no longer matches), removed (a gap in sequence numbers
    or a broken link) or cut off at the end (the head, itself keyed, no longer matches the
    last record, or is missing) is reported at the first sequence affected. All records
    deleted with the head, or the head rewound by someone holding the key, leave a chain
    that holds by itself; the witness catches them: a chain that
    ends before a witnessed sequence is reported at its first missing sequence, one whose
    record at a witnessed sequence is not the one witnessed at the first sequence after the
    last witness line that still agrees. A witness line whose MAC fails is reported too.

    `witness` is a `WitnessLog` (an auditor's copy), None (the chain alone), or by default
    the configured witness where the service can read it back (a file, not syslog). A
    network no witness line names is checked as the chain alone.
    """
    from permissions.models import AccessChainHead, AccessRecord
    from permissions.services import access_chain_key, access_head_mac, access_record_hash
    from permissions.witness import configured_witness_log

    if witness is CONFIGURED_WITNESS:
        witness = configured_witness_log()
    lines = witness.for_network(network.pk) if witness is not None else []
    wanted = {line.sequence for line in lines}
    key = access_chain_key(network.pk)
    previous_hash, expected, count, broken = "0" * 64, 1, 0, False
    hashes: dict[int, str] = {}  # record hashes at the witnessed sequences
    with _one_snapshot():
        records = AccessRecord.objects.filter(network=network).order_by("sequence")
        for record in records.iterator(chunk_size=2000):
            count += 1
            recomputed = access_record_hash(
                key,
                previous_hash=record.previous_hash,
                network_id=record.network_id,
                sequence=record.sequence,
                at=record.at,
                person_id=record.person_id,
                case_id=record.case_id,
                fields=record.fields,
                via=record.via,
            )
            if (
                record.sequence != expected
                or record.previous_hash != previous_hash
                or not hmac.compare_digest(recomputed, record.hash)
            ):
                broken = True
                break
            if record.sequence in wanted:
                hashes[record.sequence] = record.hash
            previous_hash, expected = record.hash, expected + 1
        head = AccessChainHead.objects.filter(network=network).first()
    if not broken and head is None:
        # The head is written with the first record, in one transaction: records without
        # one means the head row was deleted, most likely with the records after them.
        broken = count > 0
    elif not broken:
        broken = (
            head.sequence != expected - 1
            or head.hash != previous_hash
            or not hmac.compare_digest(
                head.mac, access_head_mac(key, sequence=head.sequence, last_hash=head.hash)
            )
        )
    first_broken = expected if broken else None
    check, witness_broken = _witness_check(key, lines, hashes, verified=expected - 1)
    if witness_broken is not None:
        first_broken = min(witness_broken, first_broken or witness_broken)
    return ChainReport(
        ok=first_broken is None and (check is None or check.status == "ok"),
        records=count,
        first_broken=first_broken,
        witness=check,
        head=(head.sequence, head.hash) if head is not None and not broken else None,
    )


def access_chain_networks(witness=None) -> list[Network]:
    """Every network with an access chain to check: those with a head or records, and
    those the witness names (a chain deleted whole, head and all, is still checked). A
    network the witness names but the database no longer holds comes back unsaved, with
    only its id, so that its empty chain is reported against the witness too."""
    from permissions.models import AccessChainHead, AccessRecord

    ids = set(AccessChainHead.objects.values_list("network_id", flat=True))
    ids |= set(AccessRecord.objects.values_list("network_id", flat=True).distinct())
    if witness is not None:
        ids |= set(witness.lines)
    found = Network.objects.in_bulk(ids)
    return [found.get(network_id) or Network(pk=network_id) for network_id in sorted(ids)]


def _witness_check(key, lines, hashes, *, verified: int) -> tuple[WitnessCheck | None, int | None]:
    """Hold the chain's first `verified` records (their hashes at the witnessed sequences in
    `hashes`) against the witness lines of its network: (the check, the first sequence the
    witness no longer vouches for, or None)."""
    if not lines:
        return None, None
    good, forged = [], []
    for line in lines:
        (good if line.verifies(key) else forged).append(line)
    good.sort(key=lambda line: line.sequence)
    bad = tuple(line.line for line in forged)
    agreed = 0  # the last witnessed sequence whose record is still the one witnessed
    for line in good:
        if line.sequence > verified:
            last = good[-1]
            return WitnessCheck("behind_witness", last.sequence, last.at, bad), verified + 1
        if not hmac.compare_digest(hashes[line.sequence].encode(), line.hash.encode()):
            return WitnessCheck("differs", line.sequence, line.at, bad), agreed + 1
        agreed = line.sequence
    last = good[-1] if good else None
    return (
        WitnessCheck(
            "bad_line" if bad else "ok",
            last.sequence if last else None,
            last.at if last else None,
            bad,
        ),
        None,
    )


def audited_networks(user) -> QuerySet[Network]:
    """Networks whose access log the person audits."""
    if not user.is_authenticated or not user.is_active:
        return Network.objects.none()
    return Network.objects.filter(
        pk__in=NetworkUserObjectPermission.objects.filter(
            user=user, permission__codename="audit_network"
        ).values("content_object_id")
    )


def visible_access_records(user):
    """Access records of the networks the person audits or coordinates, newest first; None
    when they do neither anywhere (the log is not theirs to read at all)."""
    from permissions.models import AccessRecord

    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return None  # platform admins read no access log, whatever role rows they hold
    networks = NetworkUserObjectPermission.objects.filter(
        user=user, permission__codename__in=["audit_network", "coordinate_network"]
    ).values("content_object_id")
    if not networks.exists():
        return None
    return AccessRecord.objects.filter(network_id__in=networks).order_by("-at", "-id")


def case_permission(user, perm: str, obj) -> bool:
    """`user.has_perm` for case actions (`conferences.add_case` on a network,
    `conferences.change_case` on a case), except that platform admins hold none of them:
    Django grants superusers every permission, and they are not case workers."""
    return user.is_active and not user.is_superuser and user.has_perm(perm, obj)


# --- Meetings -----------------------------------------------------------------------------


def standing_invitations():
    """Invitations that still give their person something: the person is active and still
    staff of the agency they were invited for, and the invitation has not lapsed (leaving
    that agency or being deactivated lapses it for good, so coming back restores nothing).

    The one predicate for every right an invitation opens: seeing the meeting, reading its
    minutes and their comments within the content window, commenting, writing as an
    attendee, the agenda's cases, calendar feeds and notices. The invitation rows
    themselves stay, as the record of who was invited."""
    from conferences.models import Invitation

    return Invitation.objects.filter(
        lapsed_at__isnull=True, person__is_active=True, person__agency=F("agency")
    )


def visible_meetings(user):
    """Meetings a person may see: every one of the networks they coordinate (drafts too);
    once convened, those they are invited to (`standing_invitations`), and for
    representatives every meeting of their tier. Platform admins see none through the API:
    agendas carry case codes and invitees, and running meetings is the coordinators' work."""
    from conferences.models import Meeting, MeetingStatus

    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return Meeting.objects.none()
    representing = (
        Membership.objects.current(clock.today())
        .filter(tier=Tier.REPRESENTATIVES, designated_people=user)
        .values("network_id")
    )
    invited = standing_invitations().filter(person=user).values("meeting_id")
    return Meeting.objects.filter(
        Q(network__in=coordinated_networks(user).values("pk"))
        | (
            ~Q(status=MeetingStatus.DRAFT)
            & (Q(pk__in=invited) | Q(tier=Tier.REPRESENTATIVES, network_id__in=representing))
        )
    )


def networks_awaiting_pledge(user) -> QuerySet[Network]:
    """The person's networks (`own_networks`) for which they hold no pledge of the current
    fiscal year: the web pages show them the pledge before anything else. One query."""
    signed = current_pledges().filter(person=user).values("network_id")
    return own_networks(user).exclude(pk__in=signed).order_by("name", "pk")
