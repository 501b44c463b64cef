"""Calendars: one meeting as RFC 5545 (stable UID, SEQUENCE from the revision, Tokyo time,
cancellation), who may download it, and the personal feed behind a secret that is stored
only as a digest, renewed and revoked through the API."""

import hashlib

import pytest
from icalendar import Calendar

from conferences.models import CalendarToken, Meeting
from tests.conftest import CASE_PERSONAS, CLEAN_CASE

pytestmark = pytest.mark.django_db

START = "2026-12-10T14:00:00+09:00"
END = "2026-12-10T16:00:00+09:00"
ONLINE = "https://meet.example.jp/renkei-3"


def create_meeting(api_as, world, kind="case_conference", **overrides) -> Meeting:
    data = {
        "network": world.network.pk,
        "kind": kind,
        "title": "第3回 事例検討会",
        "starts_at": START,
        "ends_at": END,
        "location": "市役所 会議室",
        "online_url": ONLINE,
        **overrides,
    }
    response = api_as(world.coordinator).post("/api/v1/meetings/", data, format="json")
    assert response.status_code == 201, response.content
    return Meeting.objects.get(pk=response.json()["id"])


def convene(api_as, world, meeting) -> None:
    response = api_as(world.coordinator).post(f"/api/v1/meetings/{meeting.pk}/convene/")
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()


@pytest.fixture
def convened(case_world, api_as, time_machine):
    """The case world at 2026-11-21 with a convened case conference (member and peer
    invited) on 2026-12-10."""
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    case_world.meeting = create_meeting(api_as, case_world.world)
    convene(api_as, case_world.world, case_world.meeting)
    return case_world


def ics_of(api_as, user, meeting):
    return api_as(user).get(f"/api/v1/meetings/{meeting.pk}/calendar.ics")


def parse(content: bytes) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")


# --- one meeting ------------------------------------------------------------------------------


def test_meeting_calendar_is_one_rfc5545_event_in_tokyo_time(api_as, convened):
    response = ics_of(api_as, convened.world.member, convened.meeting)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, events = parse(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    assert len(events) == 1
    event = events[0]
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
        assert prop in event, prop
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("DTSTART").isoformat() == START
    assert event.decoded("DTEND").isoformat() == END
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert str(event["UID"]) == f"meeting-{convened.meeting.pk}@renkei.invalid"
    assert str(event["SUMMARY"]) == "第3回 事例検討会"
    assert str(event["LOCATION"]) == "市役所 会議室"
    assert str(event["URL"]) == ONLINE
    assert ONLINE in str(event["DESCRIPTION"])
    assert event["SEQUENCE"] == convened.meeting.revision == 1
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "METHOD" not in calendar  # a download, not an iTIP message


def test_uid_domain_comes_from_settings(api_as, convened, settings):
    settings.CALENDAR_UID_DOMAIN = "renkei.city.example.lg.jp"
    _, events = parse(ics_of(api_as, convened.world.member, convened.meeting).content)
    assert str(events[0]["UID"]) == f"meeting-{convened.meeting.pk}@renkei.city.example.lg.jp"


def test_moving_keeps_the_uid_and_bumps_the_sequence(api_as, convened):
    world, meeting = convened.world, convened.meeting
    _, before = parse(ics_of(api_as, world.member, meeting).content)
    moved = api_as(world.coordinator).patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"starts_at": "2026-12-11T10:00:00+09:00", "ends_at": "2026-12-11T12:00:00+09:00"},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    _, after = parse(ics_of(api_as, world.member, meeting).content)
    assert after[0]["UID"] == before[0]["UID"]
    assert after[0]["SEQUENCE"] == before[0]["SEQUENCE"] + 1
    assert after[0].decoded("DTSTART").isoformat() == "2026-12-11T10:00:00+09:00"


def test_cancelled_meeting_is_status_cancelled_with_a_higher_sequence(api_as, convened):
    world, meeting = convened.world, convened.meeting
    response = api_as(world.coordinator).post(f"/api/v1/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 200
    _, events = parse(ics_of(api_as, world.member, meeting).content)
    assert str(events[0]["STATUS"]) == "CANCELLED"
    assert events[0]["SEQUENCE"] == 2


def test_meeting_calendar_holds_no_agenda_or_case(api_as, convened):
    world, meeting = convened.world, convened.meeting
    client = api_as(world.coordinator)
    url = f"/api/v1/meetings/{meeting.pk}/agenda-items/"
    added = client.post(url, {"kind": "case_review", "case": convened.submitted.pk}, format="json")
    assert added.status_code == 201, added.content
    client.post(url, {"kind": "topic", "title": "就労支援の連携について"}, format="json")
    text = ics_of(api_as, world.member, meeting).content.decode()
    for secret in [CLEAN_CASE["title"], convened.submitted.code, "就労支援の連携について"]:
        assert secret not in text


# Invited: member, peer. Coordinators see their network's meetings; representatives only
# their tier's; the colleague shares the member's agency but is not designated. Platform
# admins see no meetings through the API (visible_meetings).
CALENDAR = {
    "coordinator": 200,
    "admin": 404,
    "member": 200,
    "peer": 200,
    "colleague": 404,
    "representative": 404,
    "auditor": 404,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_meeting_calendar_matrix(api_as, convened, persona):
    response = ics_of(api_as, convened.person(persona), convened.meeting)
    assert response.status_code == CALENDAR[persona]
    if response.status_code == 200:
        assert len(parse(response.content)[1]) == 1
    else:
        assert response.json()["code"] in {"not_found", "not_authenticated"}


def test_draft_calendar_is_the_coordinators_only_and_tentative(api_as, case_world):
    world = case_world.world
    draft = create_meeting(api_as, world)
    assert ics_of(api_as, world.member, draft).status_code == 404
    _, events = parse(ics_of(api_as, world.coordinator, draft).content)
    assert str(events[0]["STATUS"]) == "TENTATIVE"


def test_calendar_program_asking_for_text_calendar_gets_it(api_as, convened):
    client = api_as(convened.world.member)
    url = f"/api/v1/meetings/{convened.meeting.pk}/calendar.ics"
    assert client.get(url, HTTP_ACCEPT="text/calendar").status_code == 200
    missing = client.get("/api/v1/meetings/999999/calendar.ics", HTTP_ACCEPT="text/calendar")
    assert missing.status_code == 404


# --- the personal feed ----------------------------------------------------------------------

TOKEN_URL = "/api/v1/me/calendar-token/"


def issue(api_as, user) -> dict:
    response = api_as(user).post(TOKEN_URL)
    assert response.status_code == 201, response.content
    return response.json()


def feed(api, token):
    api.force_authenticate(None)
    return api.get(f"/api/v1/calendar/{token}.ics")


def test_no_token_until_one_is_issued(api_as, world):
    response = api_as(world.member).get(TOKEN_URL)
    assert response.status_code == 200
    assert response.json() == {"exists": False, "created_at": None}


def test_issuing_returns_the_secret_once_and_get_never_shows_it(api_as, convened):
    member = convened.world.member
    issued = issue(api_as, member)
    assert len(issued["token"]) >= 43
    assert issued["url"].endswith(f"/api/v1/calendar/{issued['token']}.ics")
    state = api_as(member).get(TOKEN_URL)
    assert state.json() == {"exists": True, "created_at": "2026-11-21T10:00:00+09:00"}
    assert issued["token"] not in state.content.decode()


def test_secret_is_stored_only_as_its_digest(api_as, convened):
    secret = issue(api_as, convened.world.member)["token"]
    stored = CalendarToken.objects.get(person=convened.world.member)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    row = CalendarToken.objects.filter(pk=stored.pk).values().get()
    assert all(secret not in str(value) for value in row.values())


def test_feed_works_without_login_and_lists_only_the_persons_meetings(api, api_as, convened):
    world = convened.world
    mine = convened.meeting
    draft = create_meeting(api_as, world, title="準備中の会議")
    theirs = create_meeting(api_as, world, kind="representatives_meeting", title="代表者会議")
    convene(api_as, world, theirs)
    cancelled = create_meeting(api_as, world, title="中止になった会議")
    convene(api_as, world, cancelled)
    api_as(world.coordinator).post(f"/api/v1/meetings/{cancelled.pk}/cancel/")
    token = issue(api_as, world.member)["token"]

    response = feed(api, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, events = parse(response.content)
    uids = {str(e["UID"]) for e in events}
    assert uids == {f"meeting-{m.pk}@renkei.invalid" for m in (mine, cancelled)}
    assert not uids & {f"meeting-{m.pk}@renkei.invalid" for m in (draft, theirs)}
    status = {str(e["UID"]): str(e["STATUS"]) for e in events}
    assert status[f"meeting-{cancelled.pk}@renkei.invalid"] == "CANCELLED"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_feed_ignores_a_logged_in_client_and_needs_only_the_token(api_as, convened):
    token = issue(api_as, convened.world.member)["token"]
    response = api_as(convened.world.stranger).get(f"/api/v1/calendar/{token}.ics")
    events = parse(response.content)[1]
    assert [str(e["UID"]) for e in events] == [f"meeting-{convened.meeting.pk}@renkei.invalid"]


def test_renewing_stops_the_old_address_and_the_new_one_works(api, api_as, convened):
    member = convened.world.member
    old = issue(api_as, member)["token"]
    new = issue(api_as, member)["token"]
    assert old != new
    assert feed(api, old).status_code == 404
    assert feed(api, new).status_code == 200
    assert CalendarToken.objects.filter(person=member).count() == 1


def test_deleting_revokes_the_feed(api, api_as, convened):
    member = convened.world.member
    token = issue(api_as, member)["token"]
    assert api_as(member).delete(TOKEN_URL).status_code == 204
    assert feed(api, token).status_code == 404
    assert api_as(member).get(TOKEN_URL).json()["exists"] is False
    assert api_as(member).delete(TOKEN_URL).status_code == 204  # again: harmless


def test_unknown_token_is_404(api, convened):
    response = feed(api, "not-a-token")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_inactive_persons_feed_is_404(api, api_as, convened):
    member = convened.world.member
    token = issue(api_as, member)["token"]
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert feed(api, token).status_code == 404


def test_tokens_are_per_person(api, api_as, convened):
    member_token = issue(api_as, convened.world.member)["token"]
    issue(api_as, convened.peer)
    api_as(convened.peer).delete(TOKEN_URL)
    assert feed(api, member_token).status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_token_endpoint_needs_a_login(api, db, method):
    assert getattr(api, method)(TOKEN_URL).status_code == 401
