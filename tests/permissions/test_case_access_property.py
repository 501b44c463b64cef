"""Who may see and read a case, for any mix of people, case states, pledges and time-limited
grants: the list selectors, the single check and DOMAIN.md's table all agree."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from agencies.models import Sector, User
from conferences.cases import services as case_services
from conferences.models import Case
from config import clock
from network.models import ConfidentialityPledge, Tier
from permissions.models import CaseGroupObjectPermission, CaseUserObjectPermission
from permissions.selectors import case_access, content_readable_cases, visible_cases
from permissions.services import case_user_grant, expired_grants_delete
from tests.conftest import make_case, sign_pledges
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
# Mid-year, and two hours before a fiscal year ends (a shift of the clock may cross it).
MOMENTS = [datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO), datetime(2025, 3, 31, 22, 0, tzinfo=TOKYO)]


# --- the people -------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """What DOMAIN.md's table needs to know about a person, per network ("A" or "B")."""

    agency: str | None = None  # a label, compared with the case's submitting agency
    coordinates: frozenset[str] = frozenset()
    audits: frozenset[str] = frozenset()
    represents_only: frozenset[str] = frozenset()  # representatives' tier and nothing more
    nobody: bool = False  # anonymous, inactive, or a platform administrator


PERSONAS = {
    "coordinator": Persona(agency="secretariat_a", coordinates=frozenset("A")),
    "member": Persona(agency="clinic"),
    "colleague": Persona(agency="clinic"),  # same agency as member, not designated
    "peer": Persona(agency="employment"),
    "representative": Persona(agency="council", represents_only=frozenset("A")),
    "auditor": Persona(audits=frozenset("A")),
    "admin": Persona(nobody=True),
    "stranger": Persona(agency="npo_b"),
    "other_coordinator": Persona(agency="secretariat_b", coordinates=frozenset("B")),
    "departed": Persona(agency="clinic", nobody=True),  # the clinic's, account deactivated
    "anonymous": Persona(nobody=True),
}
NAMED = [name for name in PERSONAS if name != "anonymous"]
AUTHORS = {"member": "A", "peer": "A", "stranger": "B"}  # who writes cases, in which network


@pytest.fixture
def people(world) -> dict:
    peer_agency = AgencyFactory(name="ハローワーク", sector=Sector.EMPLOYMENT)
    peer = UserFactory(username="peer", agency=peer_agency)
    seat(world.network, peer_agency, Tier.PRACTITIONERS, people=[peer])
    departed = UserFactory(username="departed", agency=world.member.agency, is_active=False)
    users = {name: world.person(name) for name in PERSONAS if hasattr(world, name)}
    users |= {
        "peer": peer,
        "departed": departed,
        "other_coordinator": User.objects.get(username="other_coordinator"),
        "anonymous": AnonymousUser(),
    }
    return {
        "world": world,
        "users": users,
        "networks": {"A": world.network, "B": world.other_network},
    }


# --- the oracle: DOMAIN.md's "Who may read what", in plain Python -------------------------


@dataclass(frozen=True)
class CaseSpec:
    author: str
    state: str  # draft, submitted, withdrawn_draft, withdrawn_submitted, closed, purged

    @property
    def network(self) -> str:
        return AUTHORS[self.author]

    @property
    def agency(self) -> str:
        return PERSONAS[self.author].agency

    @property
    def ever_submitted(self) -> bool:
        return self.state not in ("draft", "withdrawn_draft")


def fiscal_year(moment: datetime) -> int:
    local = moment.astimezone(TOKYO)
    return local.year if local.month >= 4 else local.year - 1


def within(window: tuple[datetime | None, datetime | None], moment: datetime) -> bool:
    start, end = window
    return (start is None or start <= moment) and (end is None or moment < end)


def oracle(persona: str, case: CaseSpec, windows: dict, pledged_years: set, moment: datetime):
    """(facts, content) as the table has it. Capacities count per network: an auditor of A
    or a representative of A alone sees none of A's cases, whatever anyone granted.

    - the submitting agency's staff: its cases, drafts included;
    - the network's coordinators: its cases from submission on (withdrawn ones included);
    - a person granted the case (a meeting's invitee, a role holder): within the window;
    - content additionally: a pledge for the case's network and the current fiscal year,
      and content not purged.
    `windows` maps codename to the windows of the person's own grants on this case."""
    who = PERSONAS[persona]
    if who.nobody or case.network in who.audits | who.represents_only:
        return False, False
    standing = who.agency == case.agency or (
        case.network in who.coordinates and case.ever_submitted
    )

    def granted(codename: str) -> bool:
        return standing or any(within(w, moment) for w in windows.get(codename, ()))

    facts = granted("view_case")
    pledged = (case.network, fiscal_year(moment)) in pledged_years
    content = facts and granted("view_case_content") and pledged and case.state != "purged"
    return facts, content


# --- building a world from the drawn examples ---------------------------------------------


def build_case(people, spec: CaseSpec) -> Case:
    users, network = people["users"], people["networks"][spec.network]
    coordinator = users["coordinator" if spec.network == "A" else "other_coordinator"]
    author = users[spec.author]
    case = make_case(author, network, submit=spec.ever_submitted)
    if spec.state.startswith("withdrawn"):
        case = case_services.case_withdraw(actor=author, case=case)
    if spec.state in ("closed", "purged"):
        case = case_services.case_close(actor=coordinator, case=case)
    if spec.state == "purged":
        case = case_services.case_purge(actor=coordinator, case=case)
    return case


PLEDGES = ["none", "current", "previous", "next"]
hours = st.integers(min_value=-3, max_value=3)  # small, so windows often end just now
case_specs = st.builds(
    CaseSpec,
    author=st.sampled_from(list(AUTHORS)),
    state=st.sampled_from(
        ["draft", "submitted", "withdrawn_draft", "withdrawn_submitted", "closed", "purged"]
    ),
)
grant_specs = st.tuples(
    st.sampled_from(NAMED),
    st.integers(min_value=0, max_value=3),  # which case (modulo how many there are)
    st.booleans(),  # content too
    st.one_of(st.none(), hours),  # valid_from, hours from the moment
    st.one_of(st.none(), hours),  # valid_until
    st.sampled_from(["meeting:1", "role:1"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moment=st.sampled_from(MOMENTS),
    shift=hours,
    cases=st.lists(case_specs, min_size=1, max_size=4),
    grants=st.lists(grant_specs, max_size=6),
    pledges=st.fixed_dictionaries(
        {(name, net): st.sampled_from(PLEDGES) for name in NAMED for net in "AB"}
    ),
)
def test_list_check_and_oracle_agree_for_every_person_and_case(
    people, moment, shift, cases, grants, pledges
):
    users, networks = people["users"], people["networks"]
    with transaction.atomic():
        with time_machine.travel(moment, tick=False):
            built = [build_case(people, spec) for spec in cases]
            granted_at = clock.now()
            windows: dict[tuple[str, int], dict[str, list]] = {}
            rows: dict[tuple, tuple] = {}  # what the grant rows hold, re-granting included
            for persona, index, content, start, end, source in grants:
                index %= len(built)
                window = (
                    None if start is None else granted_at + timedelta(hours=start),
                    None if end is None else granted_at + timedelta(hours=end),
                )
                case_user_grant(
                    case=built[index],
                    user=users[persona],
                    source=source,
                    content=content,
                    valid_from=window[0],
                    valid_until=window[1],
                )
                for codename in ["view_case", "view_case_content"] if content else ["view_case"]:
                    rows[(persona, index, source, codename)] = window
            for (persona, index, _source, codename), window in rows.items():
                windows.setdefault((persona, index), {}).setdefault(codename, []).append(window)
            pledged: dict[str, set] = {name: set() for name in PERSONAS}
            for (name, net), choice in pledges.items():
                if choice == "none":
                    continue
                year = fiscal_year(moment) + {"current": 0, "previous": -1, "next": 1}[choice]
                ConfidentialityPledge.objects.create(
                    person=users[name],
                    network=networks[net],
                    fiscal_year=year,
                    text_version=1,
                    signed_at=moment,
                )
                pledged[name].add((net, year))

        now = moment + timedelta(hours=shift)
        with time_machine.travel(now, tick=False):
            for persona, user in users.items():
                facts_listed = set(visible_cases(user).values_list("pk", flat=True))
                content_listed = set(content_readable_cases(user).values_list("pk", flat=True))
                for index, (spec, case) in enumerate(zip(cases, built, strict=True)):
                    checked = case_access(user, case)
                    expected = oracle(
                        persona, spec, windows.get((persona, index), {}), pledged[persona], now
                    )
                    where = (persona, spec, now.isoformat())
                    assert (case.pk in facts_listed) == checked.facts, where
                    assert (case.pk in content_listed) == checked.content, where
                    assert (checked.facts, checked.content) == expected, where

        transaction.set_rollback(True)


# --- expiry -------------------------------------------------------------------------------

NOON = datetime(2024, 6, 15, 12, 0, tzinfo=TOKYO)


@pytest.fixture
def granted(people, time_machine):
    """The peer may read a submitted case of the clinic for a meeting's window, noon to
    13:00; pledges signed."""
    time_machine.move_to(NOON, tick=False)
    world, peer = people["world"], people["users"]["peer"]
    sign_pledges(world.network, peer)
    case = make_case(world.member, world.network, submit=True)
    case_user_grant(
        case=case,
        user=peer,
        source="meeting:7",
        content=True,
        valid_from=NOON,
        valid_until=NOON + timedelta(hours=1),
    )
    return case, peer


def test_expired_grant_gives_nothing_at_read_time_though_its_rows_remain(granted, time_machine):
    case, peer = granted
    api = APIClient()
    api.force_authenticate(peer)
    access = case_access(peer, case)
    assert (access.facts, access.content) == (True, True)
    assert api.get(f"/api/v1/cases/{case.pk}/").json()["content"] is not None
    time_machine.move_to(NOON + timedelta(hours=1), tick=False)  # the window's end, exactly
    expired = case_access(peer, case)
    assert (expired.facts, expired.content) == (False, False)
    assert not visible_cases(peer).filter(pk=case.pk).exists()
    assert not content_readable_cases(peer).filter(pk=case.pk).exists()
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    rows = CaseUserObjectPermission.objects.filter(user=peer, content_object=case)
    assert rows.count() == 2  # view_case and view_case_content, not yet deleted


def test_expired_grants_delete_removes_only_expired_rows(people, granted, time_machine):
    case, peer = granted
    users = people["users"]
    windows = {
        "colleague": (NOON - timedelta(days=2), NOON - timedelta(days=1)),  # long over
        "member": (None, NOON + timedelta(hours=1)),  # ends exactly at the cleaning
        "stranger": (NOON, NOON + timedelta(days=1)),  # still running
        "coordinator": (None, None),  # open-ended
        "representative": (NOON + timedelta(days=1), NOON + timedelta(days=2)),  # not yet
    }
    for name, (start, end) in windows.items():
        case_user_grant(
            case=case,
            user=users[name],
            source="role:3",
            content=False,
            valid_from=start,
            valid_until=end,
        )
    group_rows = CaseGroupObjectPermission.objects.filter(content_object=case).count()
    time_machine.move_to(NOON + timedelta(hours=1), tick=False)
    before = {name: case_access(users[name], case) for name in [*windows, "peer"]}

    deleted = expired_grants_delete(now=clock.now())

    # The peer's two rows, the colleague's long-over one and the member's just-ended one.
    assert deleted == 4
    left = CaseUserObjectPermission.objects.filter(content_object=case)
    assert {row.user.username for row in left} == {"stranger", "coordinator", "representative"}
    assert CaseGroupObjectPermission.objects.filter(content_object=case).count() == group_rows
    # Housekeeping only: nobody's access changed by it.
    assert {name: case_access(users[name], case) for name in before} == before
