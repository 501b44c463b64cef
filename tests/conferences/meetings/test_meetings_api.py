"""Meetings: convening both tiers, invitations, the agenda scheduling cases, and the case
access that meetings give for a limited time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conferences.models import AgendaItem, CaseStatus, Invitation, Meeting, MeetingTransition
from permissions.models import CaseUserObjectPermission
from permissions.selectors import case_access
from permissions.services import expired_grants_delete
from tests.conftest import CASE_PERSONAS
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

START = "2026-12-10T14:00:00+09:00"
END = "2026-12-10T16:00:00+09:00"


def body(network, kind="case_conference", **overrides):
    return {
        "network": network.pk,
        "kind": kind,
        "title": "第3回 事例検討会",
        "starts_at": START,
        "ends_at": END,
        "location": "市役所 会議室",
        **overrides,
    }


@pytest.fixture
def meeting_world(case_world, api_as, time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    response = api_as(case_world.world.coordinator).post(
        "/api/v1/meetings/", body(case_world.world.network), format="json"
    )
    assert response.status_code == 201, response.content
    case_world.meeting = Meeting.objects.get(pk=response.json()["id"])
    return case_world


def post(api_as, user, url, data=None):
    return api_as(user).post(url, data or {}, format="json")


# --- creating -----------------------------------------------------------------------------

CREATE = {
    "coordinator": 201,
    "admin": 403,  # platform admins do not run meetings through the API
    "member": 403,
    "colleague": 403,
    "peer": 403,
    "representative": 403,
    "auditor": 403,
    "stranger": 400,  # network A answers like a network that does not exist
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_create_meeting_matrix(api_as, case_world, persona):
    response = api_as(case_world.person(persona)).post(
        "/api/v1/meetings/", body(case_world.world.network), format="json"
    )
    assert response.status_code == CREATE[persona]
    assert Meeting.objects.exists() == (CREATE[persona] == 201)
    if response.status_code == 201:
        meeting = response.json()
        assert (meeting["status"], meeting["tier"]) == ("draft", "practitioners")
        assert meeting["fiscal_year_label"] == "令和8年度"


def test_a_case_conference_in_the_representatives_tier_is_400(api_as, case_world):
    response = api_as(case_world.world.coordinator).post(
        "/api/v1/meetings/", body(case_world.world.network, tier="representatives"), format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()


def test_end_before_start_is_400(api_as, case_world):
    response = api_as(case_world.world.coordinator).post(
        "/api/v1/meetings/",
        body(case_world.world.network, ends_at=START, starts_at=END),
        format="json",
    )
    assert response.status_code == 400
    assert "ends_at" in response.json()
    assert not Meeting.objects.exists()


def test_case_support_meeting_must_name_its_agencies(api_as, case_world):
    response = api_as(case_world.world.coordinator).post(
        "/api/v1/meetings/",
        body(case_world.world.network, kind="case_support_meeting"),
        format="json",
    )
    assert response.status_code == 400
    assert "invited_agencies" in response.json()


# --- convening and invitations --------------------------------------------------------------


def test_convening_invites_the_tiers_designated_people(api_as, meeting_world):
    world = meeting_world.world
    meeting = meeting_world.meeting
    response = post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    assert response.status_code == 200
    assert response.json()["status"] == "convened"
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("person", flat=True))
    assert invited == {world.member.pk, meeting_world.peer.pk}
    transition = MeetingTransition.objects.filter(meeting=meeting).last()
    assert (transition.from_status, transition.to_status) == ("draft", "convened")


def test_representatives_meeting_invites_representatives_only(api_as, case_world):
    world = case_world.world
    created = api_as(world.coordinator).post(
        "/api/v1/meetings/", body(world.network, kind="representatives_meeting"), format="json"
    )
    meeting_id = created.json()["id"]
    assert created.json()["tier"] == "representatives"
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting_id}/convene/")
    invited = set(Invitation.objects.filter(meeting_id=meeting_id).values_list("person", flat=True))
    assert invited == {world.representative.pk}


def test_case_support_meeting_invites_only_the_named_agencies(api_as, case_world):
    world = case_world.world
    created = api_as(world.coordinator).post(
        "/api/v1/meetings/",
        body(
            world.network, kind="case_support_meeting", invited_agencies=[case_world.peer.agency_id]
        ),
        format="json",
    )
    assert created.status_code == 201, created.content
    post(api_as, world.coordinator, f"/api/v1/meetings/{created.json()['id']}/convene/")
    invited = set(Invitation.objects.values_list("person", flat=True))
    assert invited == {case_world.peer.pk}


def test_membership_ended_before_the_meeting_date_is_not_invited(api_as, meeting_world):
    world = meeting_world.world
    later = AgencyFactory(name="終了予定の機関")
    leaver = UserFactory(agency=later)
    seat(world.network, later, people=[leaver], ends_on=timezone.localdate() + timedelta(days=5))
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting_world.meeting.pk}/convene/")
    assert not Invitation.objects.filter(person=leaver).exists()


def test_people_seated_later_are_invited_on_the_next_change(api_as, meeting_world):
    world, meeting = meeting_world.world, meeting_world.meeting
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    newcomer_agency = AgencyFactory(name="新規参加の機関")
    newcomer = UserFactory(agency=newcomer_agency)
    seat(world.network, newcomer_agency, people=[newcomer])
    response = api_as(world.coordinator).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"location": "保健所 会議室"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 2
    assert Invitation.objects.filter(meeting=meeting, person=newcomer).exists()


def test_convened_meeting_may_be_moved_but_not_retitled(api_as, meeting_world):
    world, meeting = meeting_world.world, meeting_world.meeting
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    client = api_as(world.coordinator)
    retitle = client.patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "別題"}, format="json")
    assert retitle.status_code == 409
    move = client.patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"starts_at": "2026-12-11T14:00:00+09:00", "ends_at": "2026-12-11T16:00:00+09:00"},
        format="json",
    )
    assert move.status_code == 200
    meeting.refresh_from_db()
    assert meeting.title == "第3回 事例検討会"
    assert timezone.localdate(meeting.starts_at).day == 11


# --- holding ------------------------------------------------------------------------------


def test_a_meeting_cannot_be_held_before_it_starts(api_as, meeting_world, time_machine):
    world, meeting = meeting_world.world, meeting_world.meeting
    url = f"/api/v1/meetings/{meeting.pk}/"
    post(api_as, world.coordinator, url + "convene/")
    time_machine.move_to("2026-12-10T13:59:59+09:00", tick=False)  # a second early
    early = post(api_as, world.coordinator, url + "hold/")
    assert early.status_code == 409
    assert early.json()["code"] == "meeting_not_started"
    meeting.refresh_from_db()
    assert meeting.status == "convened"
    assert not MeetingTransition.objects.filter(meeting=meeting, to_status="held").exists()

    time_machine.move_to(START, tick=False)  # from its start on, it may be marked held
    held = post(api_as, world.coordinator, url + "hold/")
    assert held.status_code == 200
    assert held.json()["status"] == "held"
    transition = MeetingTransition.objects.filter(meeting=meeting).last()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "convened",
        "held",
        world.coordinator,
    )


def test_a_draft_is_not_held_whatever_the_time(api_as, meeting_world, time_machine):
    time_machine.move_to("2026-12-10T16:30:00+09:00", tick=False)
    url = f"/api/v1/meetings/{meeting_world.meeting.pk}/hold/"
    response = post(api_as, meeting_world.world.coordinator, url)
    assert response.status_code == 409
    assert response.json()["code"] == "meeting_not_convened"


HOLD = {
    "coordinator": 200,
    "member": 403,  # invited: sees the meeting, does not run it
    "peer": 403,
    "colleague": 404,
    "representative": 404,
    "auditor": 404,
    "admin": 404,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_hold_matrix(api_as, meeting_world, time_machine, persona):
    meeting = meeting_world.meeting
    post(api_as, meeting_world.world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    time_machine.move_to("2026-12-10T16:30:00+09:00", tick=False)
    response = post(api_as, meeting_world.person(persona), f"/api/v1/meetings/{meeting.pk}/hold/")
    assert response.status_code == HOLD[persona]
    meeting.refresh_from_db()
    assert (meeting.status == "held") == (HOLD[persona] == 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("member", 200), ("peer", 403), ("coordinator", 403), ("stranger", 404), ("anonymous", 401)],
)
def test_answering_the_members_invitation(api_as, meeting_world, persona, expected):
    world, meeting = meeting_world.world, meeting_world.meeting
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    invitation = Invitation.objects.get(meeting=meeting, person=world.member)
    response = api_as(meeting_world.person(persona)).patch(
        f"/api/v1/invitations/{invitation.pk}/", {"response": "accepted"}, format="json"
    )
    assert response.status_code == expected
    invitation.refresh_from_db()
    assert (invitation.response == "accepted") == (expected == 200)
    if expected == 200:
        assert invitation.responded_at is not None


# --- who sees which meeting -------------------------------------------------------------------

SEES_CONVENED = {
    "coordinator": True,
    "admin": False,
    "member": True,
    "peer": True,
    "colleague": False,  # not designated, not invited
    "representative": False,  # a practitioners' meeting
    "auditor": False,
    "stranger": False,
}


@pytest.mark.parametrize("persona", [p for p in CASE_PERSONAS if p != "anonymous"])
def test_meeting_visibility(api_as, meeting_world, persona):
    world, meeting = meeting_world.world, meeting_world.meeting
    client = api_as(meeting_world.person(persona))
    draft_ids = {m["id"] for m in client.get("/api/v1/meetings/").json()["results"]}
    assert (meeting.pk in draft_ids) == (persona == "coordinator")
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    client = api_as(meeting_world.person(persona))
    detail = client.get(f"/api/v1/meetings/{meeting.pk}/")
    assert detail.status_code == (200 if SEES_CONVENED[persona] else 404)


def test_meeting_list_query_count_does_not_grow(api_as, case_world, django_assert_max_num_queries):
    client = api_as(case_world.world.coordinator)
    for _ in range(12):
        client.post("/api/v1/meetings/", body(case_world.world.network), format="json")
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/meetings/?page_size=200").json()["count"] == 12


# --- the agenda and case access ----------------------------------------------------------------


def add_case(api_as, world, meeting, case):
    return api_as(world.coordinator).post(
        f"/api/v1/meetings/{meeting.pk}/agenda-items/",
        {"kind": "case_review", "case": case.pk},
        format="json",
    )


def test_adding_a_case_schedules_it(api_as, meeting_world):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    response = add_case(api_as, world, meeting, case)
    assert response.status_code == 201
    assert response.json()["case_code"] == case.code
    case.refresh_from_db()
    assert case.status == CaseStatus.SCHEDULED


def test_invitees_read_the_case_from_convening_until_the_window_ends(
    api_as, meeting_world, time_machine
):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    peer = meeting_world.peer
    add_case(api_as, world, meeting, case)
    assert not case_access(peer, case).facts  # not before convening
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    assert case_access(peer, case).content
    body_ = api_as(peer).get(f"/api/v1/cases/{case.pk}/").json()
    assert body_["content"]["summary"]

    time_machine.move_to("2026-12-24T15:59:00+09:00")  # 14 days after the end, less a minute
    assert case_access(peer, case).content
    time_machine.move_to("2026-12-24T16:01:00+09:00")
    assert case_access(peer, case) == type(case_access(peer, case))(facts=True, content=False)
    assert api_as(peer).get(f"/api/v1/cases/{case.pk}/").json()["content"] is None

    deleted = expired_grants_delete(now=timezone.now())
    assert deleted >= 1
    assert case_access(peer, case).facts and not case_access(peer, case).content


def test_a_case_added_to_a_convened_meeting_opens_at_once(api_as, meeting_world):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    assert not case_access(meeting_world.peer, case).facts
    add_case(api_as, world, meeting, case)
    assert case_access(meeting_world.peer, case).content


def test_uninvited_colleagues_and_representatives_get_nothing(api_as, meeting_world):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    add_case(api_as, world, meeting, case)
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    assert not case_access(world.representative, case).facts
    assert not CaseUserObjectPermission.objects.filter(user=world.representative).exists()


def test_case_review_needs_a_practitioners_meeting(api_as, case_world):
    world = case_world.world
    created = api_as(world.coordinator).post(
        "/api/v1/meetings/", body(world.network, kind="representatives_meeting"), format="json"
    )
    meeting = Meeting.objects.get(pk=created.json()["id"])
    response = add_case(api_as, world, meeting, case_world.submitted)
    assert response.status_code == 400
    case_world.submitted.refresh_from_db()
    assert case_world.submitted.status == CaseStatus.SUBMITTED


def test_a_draft_case_cannot_be_scheduled(api_as, meeting_world):
    world = meeting_world.world
    # The coordinator cannot even see the draft: it answers like a case that does not exist.
    response = add_case(api_as, world, meeting_world.meeting, meeting_world.draft)
    assert response.status_code == 400
    assert "case" in response.json()


def test_removing_the_case_returns_it_and_withdraws_the_access(api_as, meeting_world):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    item = add_case(api_as, world, meeting, case).json()
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    response = api_as(world.coordinator).delete(f"/api/v1/agenda-items/{item['id']}/")
    assert response.status_code == 204
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not case_access(meeting_world.peer, case).facts


def test_cancelling_returns_the_cases_and_withdraws_the_access(api_as, meeting_world):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    add_case(api_as, world, meeting, case)
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    response = post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/cancel/")
    assert response.json()["status"] == "cancelled"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not case_access(meeting_world.peer, case).facts


def test_agenda_items_are_reordered(api_as, meeting_world):
    world, meeting = meeting_world.world, meeting_world.meeting
    client = api_as(world.coordinator)
    url = f"/api/v1/meetings/{meeting.pk}/agenda-items/"
    ids = [
        client.post(url, {"kind": "topic", "title": t}, format="json").json()["id"]
        for t in ("報告", "協議", "連絡")
    ]
    assert (
        client.patch(f"/api/v1/agenda-items/{ids[2]}/", {"order": 1}, format="json").status_code
        == 200
    )
    assert [i["title"] for i in client.get(url).json()["results"]] == ["連絡", "報告", "協議"]
    assert list(AgendaItem.objects.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("coordinator", 201), ("member", 404), ("peer", 404), ("stranger", 404), ("anonymous", 401)],
)
def test_agenda_write_matrix_on_a_draft(api_as, meeting_world, persona, expected):
    response = api_as(meeting_world.person(persona)).post(
        f"/api/v1/meetings/{meeting_world.meeting.pk}/agenda-items/",
        {"kind": "topic", "title": "報告事項"},
        format="json",
    )
    assert response.status_code == expected


def test_invited_member_may_read_but_not_write_the_agenda(api_as, meeting_world):
    world, meeting = meeting_world.world, meeting_world.meeting
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    client = api_as(world.member)
    url = f"/api/v1/meetings/{meeting.pk}/agenda-items/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "topic", "title": "x"}, format="json").status_code == 403


def test_convening_takes_a_fixed_number_of_queries_whatever_the_invitees(
    api_as, meeting_world, django_assert_max_num_queries
):
    world, meeting = meeting_world.world, meeting_world.meeting
    add_case(api_as, world, meeting, meeting_world.submitted)
    for n in range(15):
        agency = AgencyFactory(name=f"追加機関{n}")
        seat(world.network, agency, people=[UserFactory(agency=agency)])
    with django_assert_max_num_queries(40):
        post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    assert Invitation.objects.filter(meeting=meeting).count() == 17
    assert CaseUserObjectPermission.objects.filter(source=f"meeting:{meeting.pk}").count() == 34


def test_moving_to_another_agency_ends_the_designations_and_meeting_grants(api_as, meeting_world):
    world, meeting, case = meeting_world.world, meeting_world.meeting, meeting_world.submitted
    add_case(api_as, world, meeting, case)
    post(api_as, world.coordinator, f"/api/v1/meetings/{meeting.pk}/convene/")
    peer = meeting_world.peer
    assert case_access(peer, case).content
    peer.agency = world.stranger.agency
    peer.save()
    assert not case_access(peer, case).facts
    assert not peer.designations.exists()
