"""`manage.py load_demo`: the demo network, its idempotency, its logins and its refusal."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from agencies.models import Agency, User
from conferences.models import Case, CaseStatus
from network.management.commands import load_demo
from network.models import ConfidentialityPledge, Membership, Network, StaffRole, Tier
from permissions.selectors import case_access

pytestmark = pytest.mark.django_db

COUNTED = [Agency, User, Membership, StaffRole, ConfidentialityPledge, Network, Case]


def run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def printed_logins(output: str) -> dict[str, str]:
    """username -> password, read from the printed table (cells separated by ' | ')."""
    logins = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split(" | ")]
        if len(cells) >= 2 and cells[0] and not cells[0].startswith("ユーザー名"):
            logins[cells[0]] = cells[1]
    return logins


def demo_network() -> Network:
    return Network.objects.get(name=load_demo.NETWORK["name"], municipality="みなと市")


def test_creates_the_network_with_its_settings_and_secretariat():
    run()
    network = demo_network()
    assert network.content_window_days == 14
    assert network.suppression_threshold == 3
    assert network.secretariat_agency.name == "みなと市相談支援課"
    assert network.secretariat_agency.sector == "municipal"


def test_creates_agencies_across_sectors_with_contact_data_and_preferences():
    run()
    agencies = Agency.objects.all()
    assert agencies.count() >= 15
    assert len({a.sector for a in agencies}) >= 8
    for agency in agencies:
        assert agency.name_kana and agency.phone and agency.email and agency.website
        assert "555" in agency.phone
        assert agency.email.endswith("example.jp")
        assert agency.contact_route and agency.can_take_on and agency.conditions


def test_creates_both_tiers_with_heads_and_frontline_staff():
    run()
    network = demo_network()
    reps = Membership.objects.filter(network=network, tier=Tier.REPRESENTATIVES)
    practs = Membership.objects.filter(network=network, tier=Tier.PRACTITIONERS)
    assert reps.count() >= 8
    assert practs.count() >= 12
    for membership in [*reps, *practs]:
        assert membership.designated_people.exists()
    assert User.objects.filter(
        designations__in=reps, job_title__in=["所長", "会長", "福祉総務課長"]
    ).exists()
    frontline_qualifications = {
        q for u in User.objects.filter(designations__in=practs) for q in u.qualifications
    }
    assert {
        "psychiatric_social_worker",
        "clinical_psychologist",
        "public_health_nurse",
        "lawyer",
    } <= frontline_qualifications


def test_designated_people_always_belong_to_their_memberships_agency():
    run()
    for membership in Membership.objects.prefetch_related("designated_people"):
        for person in membership.designated_people.all():
            assert person.agency_id == membership.agency_id, (person, membership)


def test_coordinator_auditor_and_admin():
    run()
    network = demo_network()
    coordinator_role = StaffRole.objects.get(network=network, role=StaffRole.Role.COORDINATOR)
    coordinator = User.objects.get(pk=coordinator_role.user_id)
    assert coordinator.has_perm("network.coordinate_network", network)
    assert coordinator.agency == network.secretariat_agency
    assert coordinator.job_title
    assert "psychiatric_social_worker" in coordinator.qualifications

    auditor_role = StaffRole.objects.get(network=network, role=StaffRole.Role.AUDITOR)
    auditor = User.objects.get(pk=auditor_role.user_id)
    assert auditor.agency is None
    assert auditor.has_perm("network.audit_network", network)
    assert not auditor.has_perm("network.coordinate_network", network)

    assert User.objects.filter(is_superuser=True, is_staff=True).count() == 1


def test_coordinator_and_designated_people_sign_the_pledge():
    run()
    network = demo_network()
    signed = set(
        ConfidentialityPledge.objects.filter(network=network).values_list("person", flat=True)
    )
    designated = set(
        Membership.objects.filter(network=network).values_list("designated_people", flat=True)
    )
    coordinators = set(
        StaffRole.objects.filter(network=network, role="coordinator").values_list("user", flat=True)
    )
    assert signed == designated | coordinators


@time_machine.travel(datetime(2026, 2, 10, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_memberships_start_at_the_start_of_the_fiscal_year():
    run()
    assert set(Membership.objects.values_list("starts_on", flat=True)) == {date(2025, 4, 1)}
    assert set(Membership.objects.values_list("ends_on", flat=True)) == {None}
    assert set(ConfidentialityPledge.objects.values_list("fiscal_year", flat=True)) == {2025}


def test_second_run_creates_nothing_and_prints_the_logins_again():
    first = run()
    before = counts()
    second = run()
    assert counts() == before
    assert printed_logins(second) == printed_logins(first)
    assert len(printed_logins(second)) == before["User"]
    assert "既存 (existing)" in second and "作成 (created)" not in second.split("\n\n", 1)[1]


def test_rerun_creates_only_what_is_missing():
    run()
    before = counts()
    network = demo_network()
    Membership.objects.filter(network=network, agency__name="みなと桜通り法律事務所").delete()
    run()
    assert counts() == before
    lawyer = Membership.objects.get(network=network, agency__name="みなと桜通り法律事務所")
    assert [p.username for p in lawyer.designated_people.all()] == ["law_staff"]


def test_printed_logins_authenticate():
    logins = printed_logins(run())
    assert set(logins) == set(User.objects.values_list("username", flat=True))
    for username, password in logins.items():
        assert password == load_demo.DEMO_PASSWORD
        assert authenticate(username=username, password=password) is not None, username


def test_refuses_when_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        run()
    assert all(n == 0 for n in counts().values())


def test_leaves_other_networks_and_accounts_alone(world):
    accounts = {u.username: (u.agency_id, u.password) for u in User.objects.all()}
    seats = {n.pk: n.memberships.count() for n in (world.network, world.other_network)}
    run()
    after = {u.username: (u.agency_id, u.password) for u in User.objects.all()}
    assert {name: after[name] for name in accounts} == accounts
    assert {n.pk: n.memberships.count() for n in (world.network, world.other_network)} == seats
    demo_agencies = {row["name"] for row in load_demo.AGENCIES}
    assert set(demo_network().memberships.values_list("agency__name", flat=True)) <= demo_agencies


def test_demo_cases_pass_the_screening_and_are_readable_by_their_agency():
    run()
    cases = Case.objects.filter(network=demo_network())
    assert sorted(cases.values_list("status", flat=True)) == [
        CaseStatus.DRAFT,
        CaseStatus.REVIEWED,  # the clinic's case, under review (see the next test)
        CaseStatus.SCHEDULED,  # on the agenda of next week's case conference
    ]
    submitted = cases.exclude(status=CaseStatus.DRAFT)
    assert all(case.code for case in submitted)
    coordinator = User.objects.get(username="soudan_coordinator")
    author = User.objects.get(username="clinic_staff")
    clinic_case = submitted.get(submitting_agency=author.agency)
    assert case_access(coordinator, clinic_case).content
    assert case_access(author, clinic_case).content
    assert not case_access(User.objects.get(username="hospital_head"), clinic_case).facts


def test_a_case_conference_next_week_invites_the_practitioners_once():
    from conferences.models import Invitation, Meeting

    run()
    run()  # idempotent
    meeting = Meeting.objects.get(title=load_demo.DEMO_MEETING["title"])
    assert meeting.status == "convened" and meeting.kind == "case_conference"
    assert [item.case.title for item in meeting.agenda_items.exclude(case=None)] == [
        load_demo.DEMO_MEETING["case_title"]
    ]
    invited = set(
        Invitation.objects.filter(meeting=meeting).values_list("person__username", flat=True)
    )
    assert {"npo_staff", "clinic_staff", "hokenjo_staff"} <= invited
    assert "hospital_head" not in invited  # representatives sit elsewhere


def test_the_first_demo_case_has_a_review_with_roles_half_answered():
    from conferences.models import Review

    run()
    review = Review.objects.get(case__title=load_demo.DEMO_REVIEW["case_title"])
    answers = sorted(review.roles.values_list("function", "agreement"))
    assert answers == [
        ("lead", "agreed"),
        ("outreach", "agreed"),
        ("place_to_belong", "pending"),
    ]
    assert review.case.status == "reviewed" and review.finalized_at is None
    run()
    assert Review.objects.count() == 1  # loaded once
