"""Decisions of representatives' meetings, the network's yearly meeting plan (targets and
held counts per kind) and the `expire_access` housekeeping command."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import User
from conferences.meetings import services as meeting_services
from conferences.models import (
    Decision,
    DecisionChange,
    Meeting,
    MeetingKind,
    MeetingPlan,
    MeetingStatus,
)
from permissions.models import CaseUserObjectPermission
from permissions.services import case_user_grant
from tests.conftest import CASE_PERSONAS
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
KINDS = [
    "representatives_meeting",
    "practitioners_meeting",
    "case_conference",
    "case_support_meeting",
]
# The seed plan of a network: 代表者会議 twice, 事例検討会 four times, 個別ケース会議 50 times.
SEED_TARGETS = {"representatives_meeting": 2, "case_conference": 4, "case_support_meeting": 50}


def make_meeting(world, kind, starts_at: datetime, status=MeetingStatus.DRAFT, network=None):
    """A meeting through the services, taken as far as `status` (closed has no service
    without approved minutes, so it is set directly: only the count cares). Holding happens
    with the clock at the meeting's end; the caller's clock is back afterwards."""
    network = network or world.network
    extra = {}
    if kind == MeetingKind.CASE_SUPPORT_MEETING:
        extra["invited_agencies"] = [world.member.agency]
    actor = (
        world.coordinator
        if network == world.network
        else User.objects.get(username="other_coordinator")
    )
    meeting = meeting_services.meeting_create(
        actor=actor,
        network=network,
        kind=kind,
        title="会議",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        **extra,
    )
    if status in (MeetingStatus.CONVENED, MeetingStatus.HELD, MeetingStatus.CLOSED):
        meeting = meeting_services.meeting_convene(actor=actor, meeting=meeting)
    if status in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        # Marked held once it has taken place: at its end, whatever the test's own clock.
        with time_machine.travel(meeting.ends_at, tick=False):
            meeting = meeting_services.meeting_hold(actor=actor, meeting=meeting)
    if status == MeetingStatus.CLOSED:
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CLOSED)
    if status == MeetingStatus.CANCELLED:
        meeting = meeting_services.meeting_cancel(actor=actor, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


MEETING_DAY = datetime(2026, 12, 10, 14, 0, tzinfo=TOKYO)


@pytest.fixture
def now_2026(time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)


@pytest.fixture
def reps_meeting(case_world, now_2026):
    """A convened representatives' meeting of network A."""
    return make_meeting(
        case_world.world,
        MeetingKind.REPRESENTATIVES_MEETING,
        MEETING_DAY,
        status=MeetingStatus.CONVENED,
    )


def decision_body(world, **overrides):
    return {
        "text": "ひきこもり支援の相談窓口を周知するリーフレットを作成する。",
        "owner_agency": world.representative.agency_id,
        "due_on": "2027-03-31",
        **overrides,
    }


def record(world, meeting, actor=None, **overrides):
    from conferences.decisions import services as decision_services

    fields = {
        "text": "年間計画を見直す。",
        "owner_agency": world.representative.agency,
        **overrides,
    }
    actor = actor or world.coordinator
    return decision_services.decision_create(actor=actor, meeting=meeting, **fields)


# --- decisions: who may do what ---------------------------------------------------------------

READ = {
    "coordinator": 200,
    "admin": 404,  # platform admins see no meetings through the API
    "representative": 200,  # representatives see every meeting of their tier
    "member": 404,  # a practitioner: not their tier, not invited
    "colleague": 404,
    "peer": 404,
    "auditor": 404,
    "stranger": 404,
    "anonymous": 401,
}
WRITE = {**READ, "representative": 403}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_decision_list_matrix(api_as, case_world, reps_meeting, persona):
    decision = record(case_world.world, reps_meeting)
    response = api_as(case_world.person(persona)).get(
        f"/api/v1/meetings/{reps_meeting.pk}/decisions/"
    )
    assert response.status_code == READ[persona]
    if response.status_code == 200:
        [row] = response.json()["results"]
        assert row == {
            "id": decision.pk,
            "meeting": reps_meeting.pk,
            "text": "年間計画を見直す。",
            "owner_agency": case_world.world.representative.agency_id,
            "due_on": None,
            "status": "open",
            "status_display": str(Decision.Status.OPEN.label),
        }
    else:
        assert "年間計画" not in response.content.decode()


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_decision_create_matrix(api_as, case_world, reps_meeting, persona):
    world = case_world.world
    response = api_as(case_world.person(persona)).post(
        f"/api/v1/meetings/{reps_meeting.pk}/decisions/", decision_body(world), format="json"
    )
    expected = {**WRITE, "coordinator": 201}[persona]
    assert response.status_code == expected, response.content
    assert Decision.objects.exists() == (expected == 201)
    if expected == 201:
        assert response.json()["status"] == "open"
        decision = Decision.objects.get()
        assert (decision.meeting, decision.owner_agency_id, str(decision.due_on)) == (
            reps_meeting,
            world.representative.agency_id,
            "2027-03-31",
        )
        assert decision.created_by == case_world.person(persona)
    if expected == 403:
        assert response.json()["code"] == "coordinator_only"


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_decision_patch_matrix(api_as, case_world, reps_meeting, persona):
    decision = record(case_world.world, reps_meeting)
    response = api_as(case_world.person(persona)).patch(
        f"/api/v1/decisions/{decision.pk}/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == WRITE[persona]
    decision.refresh_from_db()
    assert (decision.status == "in_progress") == (WRITE[persona] == 200)
    if WRITE[persona] == 403:
        assert response.json()["code"] == "coordinator_only"


# --- decisions: the rules -----------------------------------------------------------------------


def test_a_case_conference_has_no_decisions(api_as, case_world, now_2026):
    world = case_world.world
    meeting = make_meeting(
        world, MeetingKind.CASE_CONFERENCE, MEETING_DAY, status=MeetingStatus.HELD
    )
    response = api_as(world.coordinator).post(
        f"/api/v1/meetings/{meeting.pk}/decisions/", decision_body(world), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_a_representatives_meeting"
    assert not Decision.objects.exists()


@pytest.mark.parametrize("status", [MeetingStatus.DRAFT, MeetingStatus.CANCELLED])
def test_decisions_wait_for_the_meeting(api_as, case_world, now_2026, status):
    world = case_world.world
    meeting = make_meeting(world, MeetingKind.REPRESENTATIVES_MEETING, MEETING_DAY, status=status)
    response = api_as(world.coordinator).post(
        f"/api/v1/meetings/{meeting.pk}/decisions/", decision_body(world), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "meeting_not_held"
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "status", [MeetingStatus.CONVENED, MeetingStatus.HELD, MeetingStatus.CLOSED]
)
def test_decisions_are_recorded_at_and_after_the_meeting(api_as, case_world, now_2026, status):
    world = case_world.world
    meeting = make_meeting(world, MeetingKind.REPRESENTATIVES_MEETING, MEETING_DAY, status=status)
    response = api_as(world.coordinator).post(
        f"/api/v1/meetings/{meeting.pk}/decisions/", decision_body(world), format="json"
    )
    assert response.status_code == 201, response.content
    assert Decision.objects.filter(meeting=meeting).count() == 1


def test_owner_agency_must_sit_in_the_network(api_as, case_world, reps_meeting):
    world = case_world.world
    url = f"/api/v1/meetings/{reps_meeting.pk}/decisions/"
    client = api_as(world.coordinator)
    elsewhere = client.post(
        url, decision_body(world, owner_agency=world.stranger.agency_id), format="json"
    )
    nowhere = client.post(url, decision_body(world, owner_agency=AgencyFactory().pk), format="json")
    missing = client.post(url, decision_body(world, owner_agency=999_999), format="json")
    for response in (elsewhere, nowhere, missing):
        assert response.status_code == 400
        assert list(response.json()) == ["owner_agency"]
    assert not Decision.objects.exists()


def test_a_practitioners_tier_agency_may_own_a_decision(api_as, case_world, reps_meeting):
    world = case_world.world
    response = api_as(world.coordinator).post(
        f"/api/v1/meetings/{reps_meeting.pk}/decisions/",
        decision_body(world, owner_agency=world.member.agency_id),
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"status": "finished"}, "status"),
        ({"due_on": "来年3月"}, "due_on"),
    ],
)
def test_bad_decision_input_is_400_on_the_field(api_as, case_world, reps_meeting, overrides, field):
    world = case_world.world
    response = api_as(world.coordinator).post(
        f"/api/v1/meetings/{reps_meeting.pk}/decisions/",
        decision_body(world, **overrides),
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list)
    assert not Decision.objects.exists()


def test_patch_changes_text_due_date_and_status_but_not_the_owner(api_as, case_world, reps_meeting):
    world = case_world.world
    decision = record(world, reps_meeting)
    response = api_as(world.coordinator).patch(
        f"/api/v1/decisions/{decision.pk}/",
        {
            "text": "年間計画を改定する。",
            "due_on": "2027-02-28",
            "status": "done",
            "owner_agency": world.member.agency_id,
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    decision.refresh_from_db()
    assert (decision.text, str(decision.due_on), decision.status) == (
        "年間計画を改定する。",
        "2027-02-28",
        "done",
    )
    assert decision.owner_agency_id == world.representative.agency_id


def test_patch_refuses_an_unknown_status(api_as, case_world, reps_meeting):
    decision = record(case_world.world, reps_meeting)
    response = api_as(case_world.world.coordinator).patch(
        f"/api/v1/decisions/{decision.pk}/", {"status": "finished"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()
    decision.refresh_from_db()
    assert decision.status == "open"


# --- decisions: the history of changes ---------------------------------------------------------


def patch_decision(api_as, user, decision, data):
    return api_as(user).patch(f"/api/v1/decisions/{decision.pk}/", data, format="json")


def test_each_change_records_who_when_and_from_what_to_what(
    api_as, case_world, reps_meeting, time_machine
):
    world = case_world.world
    decision = record(world, reps_meeting)
    time_machine.move_to("2026-12-11 09:00 +0900", tick=False)
    response = patch_decision(
        api_as, world.coordinator, decision, {"status": "in_progress", "due_on": "2027-02-28"}
    )
    assert response.status_code == 200
    time_machine.move_to("2026-12-12 09:00 +0900", tick=False)
    patch_decision(api_as, world.coordinator, decision, {"text": "年間計画を改定する。"})

    first, second = DecisionChange.objects.filter(decision=decision).order_by("at")
    assert (first.actor, first.at) == (
        world.coordinator,
        datetime(2026, 12, 11, 9, tzinfo=TOKYO),
    )
    assert first.changes == {"status": ["open", "in_progress"], "due_on": [None, "2027-02-28"]}
    assert second.changes == {"text": ["年間計画を見直す。", "年間計画を改定する。"]}

    history = api_as(world.representative).get(f"/api/v1/decisions/{decision.pk}/history/")
    assert history.status_code == 200
    rows = history.json()["results"]
    assert [row["changes"] for row in rows] == [first.changes, second.changes]
    assert rows[0] == {
        "id": first.pk,
        "decision": decision.pk,
        "actor": world.coordinator.pk,
        "at": "2026-12-11T09:00:00+09:00",
        "changes": first.changes,
    }


def test_a_patch_that_changes_nothing_records_nothing(api_as, case_world, reps_meeting):
    world = case_world.world
    decision = record(world, reps_meeting, due_on=date(2027, 3, 31))
    response = patch_decision(
        api_as, world.coordinator, decision, {"status": "open", "due_on": "2027-03-31"}
    )
    assert response.status_code == 200
    assert not DecisionChange.objects.exists()


def test_a_refused_patch_records_nothing(api_as, case_world, reps_meeting):
    world = case_world.world
    decision = record(world, reps_meeting)
    response = patch_decision(api_as, world.coordinator, decision, {"text": "  "})
    assert response.status_code == 400
    assert not DecisionChange.objects.exists()


def test_only_the_changed_fields_are_recorded(case_world, reps_meeting):
    from conferences.decisions import services as decision_services

    world = case_world.world
    decision = record(world, reps_meeting, due_on=date(2027, 3, 31))
    decision_services.decision_update(
        actor=world.coordinator,
        decision=decision,
        text="年間計画を見直す。",  # as it was
        due_on=None,
    )
    change = DecisionChange.objects.get()
    assert change.changes == {"due_on": ["2027-03-31", None]}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_decision_history_matrix(api_as, case_world, reps_meeting, persona):
    world = case_world.world
    decision = record(world, reps_meeting)
    patch_decision(api_as, world.coordinator, decision, {"status": "done"})
    response = api_as(case_world.person(persona)).get(f"/api/v1/decisions/{decision.pk}/history/")
    assert response.status_code == READ[persona]
    if response.status_code == 200:
        [row] = response.json()["results"]
        assert row["changes"] == {"status": ["open", "done"]}
    else:
        assert "done" not in response.content.decode()


def test_history_of_another_networks_decision_is_404(api_as, case_world, now_2026):
    world = case_world.world
    other = make_meeting(
        world,
        MeetingKind.REPRESENTATIVES_MEETING,
        MEETING_DAY,
        status=MeetingStatus.CONVENED,
        network=world.other_network,
    )
    other_coordinator = User.objects.get(username="other_coordinator")
    decision = record(world, other, actor=other_coordinator, owner_agency=world.stranger.agency)
    patch_decision(api_as, other_coordinator, decision, {"status": "done"})
    assert DecisionChange.objects.count() == 1
    for person in (world.coordinator, world.representative, world.stranger):
        response = api_as(person).get(f"/api/v1/decisions/{decision.pk}/history/")
        assert response.status_code == 404, person
    assert api_as(world.coordinator).get("/api/v1/decisions/999999/history/").status_code == 404
    assert api_as(world.coordinator).get("/api/v1/decisions/abc/history/").status_code == 404


def test_decision_history_query_count_does_not_grow(
    api_as, case_world, reps_meeting, django_assert_max_num_queries
):
    world = case_world.world
    decision = record(world, reps_meeting)
    for n in range(12):
        patch_decision(api_as, world.coordinator, decision, {"text": f"決定事項{n}"})
    # The decision (its meeting checked in the same query), the count, the page.
    with django_assert_max_num_queries(3):
        response = api_as(world.representative).get(
            f"/api/v1/decisions/{decision.pk}/history/?page_size=200"
        )
    assert response.json()["count"] == 12


def test_decisions_of_a_draft_are_invisible_to_representatives(api_as, case_world, now_2026):
    world = case_world.world
    draft = make_meeting(world, MeetingKind.REPRESENTATIVES_MEETING, MEETING_DAY)
    response = api_as(world.representative).get(f"/api/v1/meetings/{draft.pk}/decisions/")
    assert response.status_code == 404


def test_decision_list_query_count_does_not_grow(
    api_as, case_world, reps_meeting, django_assert_max_num_queries
):
    world = case_world.world
    for n in range(15):
        record(world, reps_meeting, text=f"決定事項{n}")
    # The meeting, the count, the page.
    with django_assert_max_num_queries(3):
        response = api_as(world.representative).get(
            f"/api/v1/meetings/{reps_meeting.pk}/decisions/?page_size=200"
        )
    assert response.json()["count"] == 15


# --- plans: who may do what ---------------------------------------------------------------------

PLAN_READ = {
    "coordinator": 200,
    "admin": 200,  # every network (aggregates only)
    "auditor": 200,
    "member": 200,
    "colleague": 200,
    "peer": 200,
    "representative": 200,
    "stranger": 404,
    "anonymous": 401,
}
PLAN_WRITE = {
    **PLAN_READ,
    "admin": 403,  # sees the network, but setting plans is the coordinators' work
    "auditor": 403,
    "member": 403,
    "colleague": 403,
    "peer": 403,
    "representative": 403,
}


def plans_url(network, fiscal_year=None):
    query = f"?fiscal_year={fiscal_year}" if fiscal_year is not None else ""
    return f"/api/v1/networks/{network.pk}/plans/{query}"


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_plan_read_matrix(api_as, case_world, now_2026, persona):
    response = api_as(case_world.person(persona)).get(plans_url(case_world.world.network))
    assert response.status_code == PLAN_READ[persona]


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_plan_write_matrix(api_as, case_world, now_2026, persona):
    response = api_as(case_world.person(persona)).put(
        plans_url(case_world.world.network),
        {"fiscal_year": 2026, "targets": SEED_TARGETS},
        format="json",
    )
    assert response.status_code == PLAN_WRITE[persona]
    assert MeetingPlan.objects.exists() == (PLAN_WRITE[persona] == 200)
    if PLAN_WRITE[persona] == 403:
        assert response.json()["code"] == "coordinator_only"


# --- plans: targets and held counts ---------------------------------------------------------------


def test_plan_defaults_to_the_current_fiscal_year_with_zero_targets(
    api_as, case_world, time_machine
):
    time_machine.move_to("2027-03-31 23:00 +0900", tick=False)  # still 令和8年度
    response = api_as(case_world.world.member).get(plans_url(case_world.world.network))
    assert response.status_code == 200
    body = response.json()
    assert (body["network"], body["fiscal_year"], body["label"]) == (
        case_world.world.network.pk,
        2026,
        "令和8年度",
    )
    assert [k["kind"] for k in body["kinds"]] == KINDS
    assert all(k["target"] == 0 and k["held"] == 0 for k in body["kinds"])
    assert all(k["kind_display"] for k in body["kinds"])


def test_the_seed_plan_is_stored_and_read_back(api_as, case_world, now_2026):
    world = case_world.world
    response = api_as(world.coordinator).put(
        plans_url(world.network), {"fiscal_year": 2026, "targets": SEED_TARGETS}, format="json"
    )
    assert response.status_code == 200
    targets = {k["kind"]: k["target"] for k in response.json()["kinds"]}
    assert targets == {**SEED_TARGETS, "practitioners_meeting": 0}
    read = api_as(world.representative).get(plans_url(world.network, 2026)).json()
    assert {k["kind"]: k["target"] for k in read["kinds"]} == targets
    assert set(
        MeetingPlan.objects.filter(network=world.network).values_list(
            "fiscal_year", "kind", "target"
        )
    ) == {(2026, kind, target) for kind, target in SEED_TARGETS.items()}


def test_put_updates_named_kinds_and_keeps_the_others(api_as, case_world, now_2026):
    world = case_world.world
    client = api_as(world.coordinator)
    client.put(
        plans_url(world.network), {"fiscal_year": 2026, "targets": SEED_TARGETS}, format="json"
    )
    response = client.put(
        plans_url(world.network),
        {"fiscal_year": 2026, "targets": {"case_conference": 6, "practitioners_meeting": 3}},
        format="json",
    )
    assert response.status_code == 200
    assert {k["kind"]: k["target"] for k in response.json()["kinds"]} == {
        "representatives_meeting": 2,
        "practitioners_meeting": 3,
        "case_conference": 6,
        "case_support_meeting": 50,
    }
    assert MeetingPlan.objects.filter(network=world.network, fiscal_year=2026).count() == 4


def test_plans_of_other_years_are_separate(api_as, case_world, now_2026):
    world = case_world.world
    client = api_as(world.coordinator)
    client.put(
        plans_url(world.network, 2025),  # the year from the query when the body has none
        {"targets": {"case_conference": 3}},
        format="json",
    )
    client.put(
        plans_url(world.network), {"fiscal_year": 2026, "targets": SEED_TARGETS}, format="json"
    )
    fy2025 = client.get(plans_url(world.network, 2025)).json()
    assert fy2025["label"] == "令和7年度"
    assert {k["kind"]: k["target"] for k in fy2025["kinds"]}["case_conference"] == 3
    fy2026 = client.get(plans_url(world.network, 2026)).json()
    assert {k["kind"]: k["target"] for k in fy2026["kinds"]}["case_conference"] == 4


@pytest.mark.parametrize(
    "targets",
    [
        {"case_conference": -1},
        {"case_conference": 4, "study_session": 2},  # one bad kind spoils the whole request
        {"case_conference": "四"},
        ["case_conference"],
    ],
)
def test_bad_targets_are_400_and_write_nothing(api_as, case_world, now_2026, targets):
    world = case_world.world
    response = api_as(world.coordinator).put(
        plans_url(world.network), {"fiscal_year": 2026, "targets": targets}, format="json"
    )
    assert response.status_code == 400
    assert "targets" in response.json()
    assert not MeetingPlan.objects.exists()


@pytest.mark.parametrize("fiscal_year", ["abc", "1800", "20266"])
def test_a_bad_fiscal_year_is_400(api_as, case_world, now_2026, fiscal_year):
    response = api_as(case_world.world.coordinator).get(
        f"/api/v1/networks/{case_world.world.network.pk}/plans/?fiscal_year={fiscal_year}"
    )
    assert response.status_code == 400
    assert "fiscal_year" in response.json()


def test_plans_of_a_network_not_seen_are_404(api_as, case_world, now_2026):
    world = case_world.world
    response = api_as(world.member).put(
        plans_url(world.other_network), {"fiscal_year": 2026, "targets": {}}, format="json"
    )
    assert response.status_code == 404
    assert api_as(world.member).get("/api/v1/networks/999999/plans/").status_code == 404


def test_held_counts_follow_the_fiscal_year_and_the_status(api_as, case_world, time_machine):
    world = case_world.world
    time_machine.move_to("2026-03-01 10:00 +0900", tick=False)
    last_day_fy2025 = datetime(2026, 3, 31, 21, 0, tzinfo=TOKYO)
    first_day_fy2026 = datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO)
    # FY2025: one held case conference on its last evening, one held representatives' meeting.
    make_meeting(world, MeetingKind.CASE_CONFERENCE, last_day_fy2025, MeetingStatus.HELD)
    make_meeting(
        world,
        MeetingKind.REPRESENTATIVES_MEETING,
        datetime(2025, 7, 1, 14, tzinfo=TOKYO),
        MeetingStatus.HELD,
    )
    # FY2026: held and closed count; draft, convened and cancelled do not.
    make_meeting(world, MeetingKind.CASE_CONFERENCE, first_day_fy2026, MeetingStatus.HELD)
    make_meeting(
        world,
        MeetingKind.CASE_CONFERENCE,
        datetime(2026, 7, 1, 14, tzinfo=TOKYO),
        MeetingStatus.CLOSED,
    )
    make_meeting(
        world,
        MeetingKind.CASE_CONFERENCE,
        datetime(2026, 10, 1, 14, tzinfo=TOKYO),
        MeetingStatus.CONVENED,
    )
    make_meeting(world, MeetingKind.CASE_CONFERENCE, datetime(2026, 11, 1, 14, tzinfo=TOKYO))
    make_meeting(
        world,
        MeetingKind.CASE_CONFERENCE,
        datetime(2026, 12, 1, 14, tzinfo=TOKYO),
        MeetingStatus.CANCELLED,
    )
    for day in (5, 6, 7):
        make_meeting(
            world,
            MeetingKind.CASE_SUPPORT_MEETING,
            datetime(2026, 5, day, 14, tzinfo=TOKYO),
            MeetingStatus.HELD,
        )
    # Another network's held meeting never counts here.
    make_meeting(
        world,
        MeetingKind.CASE_CONFERENCE,
        first_day_fy2026,
        MeetingStatus.HELD,
        network=world.other_network,
    )

    client = api_as(world.coordinator)
    client.put(
        plans_url(world.network), {"fiscal_year": 2026, "targets": SEED_TARGETS}, format="json"
    )

    time_machine.move_to("2026-12-20 10:00 +0900", tick=False)
    fy2026 = client.get(plans_url(world.network)).json()
    assert fy2026["fiscal_year"] == 2026
    assert [(k["kind"], k["target"], k["held"]) for k in fy2026["kinds"]] == [
        ("representatives_meeting", 2, 0),
        ("practitioners_meeting", 0, 0),
        ("case_conference", 4, 2),
        ("case_support_meeting", 50, 3),
    ]
    fy2025 = client.get(plans_url(world.network, 2025)).json()
    assert [(k["kind"], k["target"], k["held"]) for k in fy2025["kinds"]] == [
        ("representatives_meeting", 0, 1),
        ("practitioners_meeting", 0, 0),
        ("case_conference", 0, 1),
        ("case_support_meeting", 0, 0),
    ]


def test_plan_query_count_does_not_grow_with_meetings(
    api_as, case_world, now_2026, django_assert_max_num_queries
):
    world = case_world.world
    client = api_as(world.member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(plans_url(world.network, 2026)).status_code == 200
        return len(captured)

    make_meeting(world, MeetingKind.CASE_CONFERENCE, MEETING_DAY, MeetingStatus.HELD)
    few = queries()
    for day in range(1, 21):
        kind = KINDS[day % 4]
        make_meeting(world, kind, datetime(2026, 6, day, 14, tzinfo=TOKYO), MeetingStatus.HELD)
    assert queries() == few
    # The network, the permission check (guardian, then the membership), plans, held counts.
    with django_assert_max_num_queries(6):
        client.get(plans_url(world.network, 2026))


# --- expire_access ------------------------------------------------------------------------------


def test_expire_access_deletes_only_closed_windows(case_world, time_machine):
    world, case = case_world.world, case_world.submitted
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    now = timezone.now()
    case_user_grant(
        case=case,
        user=case_world.peer,
        source="meeting:1",
        content=True,
        valid_from=now - timedelta(days=30),
        valid_until=now - timedelta(seconds=1),
    )
    case_user_grant(
        case=case,
        user=case_world.peer,
        source="meeting:2",
        content=True,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=14),
    )
    case_user_grant(case=case, user=world.member, source="meeting:2:facts", content=False)
    before = CaseUserObjectPermission.objects.count()

    out = StringIO()
    call_command("expire_access", stdout=out)

    assert "2" in out.getvalue()  # view_case and view_case_content of the closed window
    assert CaseUserObjectPermission.objects.count() == before - 2
    assert not CaseUserObjectPermission.objects.filter(source="meeting:1").exists()
    assert CaseUserObjectPermission.objects.filter(source="meeting:2").count() == 2
    assert CaseUserObjectPermission.objects.filter(source="meeting:2:facts").exists()


def test_expire_access_with_nothing_expired_deletes_nothing(case_world, time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    out = StringIO()
    call_command("expire_access", stdout=out)
    assert out.getvalue().startswith("0 ")
