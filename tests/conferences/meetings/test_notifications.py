"""Mail to invitees: convening (METHOD:REQUEST attached), moving, cancelling (METHOD:CANCEL),
the daily reminders, and never a word of a case."""

import pytest
from django.core import mail
from django.core.management import call_command
from icalendar import Calendar

from conferences.meetings import notifications
from conferences.models import NARRATIVE_FIELDS, Invitation, Meeting
from config import clock
from tests.conftest import CLEAN_CASE
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

START = "2026-12-10T14:00:00+09:00"
END = "2026-12-10T16:00:00+09:00"
ONLINE = "https://meet.example.jp/renkei-3"
TOPIC = "就労支援機関との連携について"
REASON = "事例の本人が入院したため"


@pytest.fixture
def draft(case_world, api_as, time_machine):
    """A draft case conference on 2026-12-10 (it is 2026-11-21), with the submitted case
    and a topic on its agenda; the invitees-to-be (member, peer) have addresses."""
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    world = case_world.world
    addresses = [
        (world.member, "member@clinic.example.jp"),
        (case_world.peer, "peer@hellowork.example.jp"),
        (world.colleague, "colleague@clinic.example.jp"),  # not invited: never mailed
    ]
    for person, address in addresses:
        person.email = address
        person.save(update_fields=["email"])
    client = api_as(world.coordinator)
    response = client.post(
        "/api/v1/meetings/",
        {
            "network": world.network.pk,
            "kind": "case_conference",
            "title": "第3回 事例検討会",
            "starts_at": START,
            "ends_at": END,
            "location": "市役所 会議室",
            "online_url": ONLINE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get(pk=response.json()["id"])
    agenda = f"/api/v1/meetings/{meeting.pk}/agenda-items/"
    added = client.post(
        agenda, {"kind": "case_review", "case": case_world.submitted.pk}, format="json"
    )
    assert added.status_code == 201, added.content
    client.post(agenda, {"kind": "topic", "title": TOPIC}, format="json")
    case_world.meeting = meeting
    return case_world


def act(api_as, django_capture_on_commit_callbacks, user, method, url, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(api_as(user), method)(url, data or {}, format="json")
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def convened(draft, api_as, django_capture_on_commit_callbacks):
    act(
        api_as,
        django_capture_on_commit_callbacks,
        draft.world.coordinator,
        "post",
        f"/api/v1/meetings/{draft.meeting.pk}/convene/",
    )
    return draft


def calendars_of(message) -> list[tuple[str, Calendar]]:
    return [
        (mimetype, Calendar.from_ical(content))
        for _, content, mimetype in message.attachments
        if mimetype.startswith("text/calendar")
    ]


def the_event(message):
    [(mimetype, calendar)] = calendars_of(message)
    [event] = calendar.walk("VEVENT")
    return mimetype, calendar, event


def everything_in(message) -> str:
    """Subject, body, attachments and the rendered MIME message, decoded."""
    parts = [message.subject, message.body]
    parts += [str(content) for _, content, _ in message.attachments]
    for part in message.message().walk():
        payload = part.get_payload(decode=True)
        if payload:
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(parts)


def case_secrets(case_world) -> list[str]:
    return [
        CLEAN_CASE["title"],
        case_world.submitted.code,
        TOPIC,
        *(CLEAN_CASE[name] for name in NARRATIVE_FIELDS),
    ]


# --- convening --------------------------------------------------------------------------------


def test_convening_mails_every_invitee_an_invitation(convened):
    world = convened.world
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member@clinic.example.jp",
        "peer@hellowork.example.jp",
    ]
    for message in mail.outbox:
        assert len(message.to) == 1  # nobody sees the other invitees' addresses
        assert "第3回 事例検討会" in message.subject
        assert "2026年12月10日（木）14:00〜16:00" in message.body
        assert "市役所 会議室" in message.body
        assert ONLINE in message.body
        mimetype, calendar, event = the_event(message)
        assert mimetype == "text/calendar; method=REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"meeting-{convened.meeting.pk}@renkei.invalid"
        assert event["SEQUENCE"] == 1
        assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"
        assert "ORGANIZER" in event
    [part] = [p for p in mail.outbox[0].message().walk() if p.get_content_subtype() == "calendar"]
    assert part.get_param("method") == "REQUEST"
    assert world.colleague.email not in [m.to[0] for m in mail.outbox]


def test_nothing_is_sent_before_the_commit(draft, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_as(draft.world.coordinator).post(f"/api/v1/meetings/{draft.meeting.pk}/convene/")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_invitee_without_an_address_is_skipped(draft, api_as, django_capture_on_commit_callbacks):
    draft.peer.email = ""
    draft.peer.save(update_fields=["email"])
    url = f"/api/v1/meetings/{draft.meeting.pk}/convene/"
    act(api_as, django_capture_on_commit_callbacks, draft.world.coordinator, "post", url)
    assert [m.to for m in mail.outbox] == [["member@clinic.example.jp"]]


def test_convening_again_sends_nothing(convened, api_as, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    url = f"/api/v1/meetings/{convened.meeting.pk}/convene/"
    act(api_as, django_capture_on_commit_callbacks, convened.world.coordinator, "post", url)
    assert mail.outbox == []


# --- changes and cancellation ---------------------------------------------------------------


def test_moving_mails_the_new_time_with_a_higher_sequence(
    convened, api_as, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    act(
        api_as,
        django_capture_on_commit_callbacks,
        convened.world.coordinator,
        "patch",
        f"/api/v1/meetings/{convened.meeting.pk}/",
        {"starts_at": "2026-12-11T10:00:00+09:00", "ends_at": "2026-12-11T12:00:00+09:00"},
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "変更" in message.subject
        assert "2026年12月11日（金）10:00〜12:00" in message.body
        mimetype, calendar, event = the_event(message)
        assert mimetype == "text/calendar; method=REQUEST"
        assert event["SEQUENCE"] == 2
        assert event.decoded("DTSTART").isoformat() == "2026-12-11T10:00:00+09:00"


def test_relocating_mails_the_new_place(convened, api_as, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    url = f"/api/v1/meetings/{convened.meeting.pk}/"
    act(
        api_as,
        django_capture_on_commit_callbacks,
        convened.world.coordinator,
        "patch",
        url,
        {"location": "保健所 大会議室"},
    )
    assert len(mail.outbox) == 2
    assert all("保健所 大会議室" in m.body for m in mail.outbox)


def test_changing_a_draft_mails_nobody(draft, api_as, django_capture_on_commit_callbacks):
    url = f"/api/v1/meetings/{draft.meeting.pk}/"
    act(
        api_as,
        django_capture_on_commit_callbacks,
        draft.world.coordinator,
        "patch",
        url,
        {"location": "保健所 大会議室"},
    )
    assert mail.outbox == []


def test_an_unchanged_patch_mails_nobody(convened, api_as, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    url = f"/api/v1/meetings/{convened.meeting.pk}/"
    act(
        api_as,
        django_capture_on_commit_callbacks,
        convened.world.coordinator,
        "patch",
        url,
        {"location": "市役所 会議室"},
    )
    assert mail.outbox == []


# --- people invited after convening ---------------------------------------------------------


def seat_newcomer(convened, address="newcomer@npo.example.jp"):
    """An agency seated in the practitioners' tier after convening, its designated person
    with an address (invited on the meeting's next update)."""
    agency = AgencyFactory(name="居場所づくりNPO")
    person = UserFactory(agency=agency, email=address, display_name="新任 六郎")
    seat(convened.world.network, agency, people=[person])
    return person


def test_a_newcomer_gets_the_invitation_though_nothing_moved(
    convened, api_as, django_capture_on_commit_callbacks
):
    newcomer = seat_newcomer(convened)
    mail.outbox.clear()
    act(
        api_as,
        django_capture_on_commit_callbacks,
        convened.world.coordinator,
        "patch",
        f"/api/v1/meetings/{convened.meeting.pk}/",
        {"location": "市役所 会議室"},  # unchanged: only the invitation goes out
    )
    assert Invitation.objects.filter(meeting=convened.meeting, person=newcomer).exists()
    [message] = mail.outbox
    assert message.to == ["newcomer@npo.example.jp"]
    assert "会議のご案内" in message.subject
    assert "新任 六郎 様" in message.body
    assert "2026年12月10日（木）14:00〜16:00" in message.body
    mimetype, calendar, event = the_event(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event["SEQUENCE"] == 1  # the meeting has not changed since convening
    assert str(event["ATTENDEE"]) == "mailto:newcomer@npo.example.jp"
    leaked = [s for s in case_secrets(convened) if s in everything_in(message)]
    assert leaked == []


def test_on_a_move_newcomers_get_the_invitation_and_the_others_the_change(
    convened, api_as, django_capture_on_commit_callbacks
):
    seat_newcomer(convened)
    mail.outbox.clear()
    act(
        api_as,
        django_capture_on_commit_callbacks,
        convened.world.coordinator,
        "patch",
        f"/api/v1/meetings/{convened.meeting.pk}/",
        {"starts_at": "2026-12-11T10:00:00+09:00", "ends_at": "2026-12-11T12:00:00+09:00"},
    )
    received = sorted((m.to[0], m.subject.split("：")[0]) for m in mail.outbox)
    assert received == [
        ("member@clinic.example.jp", "【連携会議】日時・場所の変更"),
        ("newcomer@npo.example.jp", "【連携会議】会議のご案内"),  # not the change as well
        ("peer@hellowork.example.jp", "【連携会議】日時・場所の変更"),
    ]
    for message in mail.outbox:
        assert "2026年12月11日（金）10:00〜12:00" in message.body
        mimetype, _calendar, event = the_event(message)
        assert mimetype == "text/calendar; method=REQUEST"
        assert event["SEQUENCE"] == 2
        leaked = [s for s in case_secrets(convened) if s in everything_in(message)]
        assert leaked == [], (message.subject, leaked)


def test_a_second_update_does_not_invite_the_newcomer_again(
    convened, api_as, django_capture_on_commit_callbacks
):
    seat_newcomer(convened)
    url = f"/api/v1/meetings/{convened.meeting.pk}/"
    coordinator = convened.world.coordinator
    act(api_as, django_capture_on_commit_callbacks, coordinator, "patch", url, {})
    mail.outbox.clear()
    act(api_as, django_capture_on_commit_callbacks, coordinator, "patch", url, {})
    assert mail.outbox == []


def test_no_newcomer_mail_before_the_commit(convened, api_as, django_capture_on_commit_callbacks):
    seat_newcomer(convened)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_as(convened.world.coordinator).patch(
            f"/api/v1/meetings/{convened.meeting.pk}/", {}, format="json"
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_cancelling_sends_method_cancel(convened, api_as, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    url = f"/api/v1/meetings/{convened.meeting.pk}/cancel/"
    act(
        api_as,
        django_capture_on_commit_callbacks,
        convened.world.coordinator,
        "post",
        url,
        {"reason": REASON},
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "中止" in message.subject
        mimetype, calendar, event = the_event(message)
        assert mimetype == "text/calendar; method=CANCEL"
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 2
        assert REASON not in everything_in(message)  # the reason may speak of a case


def test_cancelling_a_draft_mails_nobody(draft, api_as, django_capture_on_commit_callbacks):
    url = f"/api/v1/meetings/{draft.meeting.pk}/cancel/"
    act(api_as, django_capture_on_commit_callbacks, draft.world.coordinator, "post", url)
    assert mail.outbox == []


# --- reminders ------------------------------------------------------------------------------


def answer(api_as, person, meeting, response):
    invitation = Invitation.objects.get(meeting=meeting, person=person)
    result = api_as(person).patch(
        f"/api/v1/invitations/{invitation.pk}/", {"response": response}, format="json"
    )
    assert result.status_code == 200, result.content


def test_reminders_go_to_invitees_of_meetings_in_n_days(convened, api_as, time_machine):
    answer(api_as, convened.peer, convened.meeting, "declined")
    answer(api_as, convened.world.member, convened.meeting, "accepted")
    mail.outbox.clear()
    time_machine.move_to("2026-12-06 07:00 +0900", tick=False)
    assert notifications.send_reminders(days=3, now=clock.now()) == 0
    time_machine.move_to("2026-12-07 07:00 +0900", tick=False)
    call_command("send_reminders")  # default: 3 days
    assert [m.to for m in mail.outbox] == [["member@clinic.example.jp"]]  # peer declined
    message = mail.outbox[0]
    assert "開催のお知らせ" in message.subject
    assert "2026年12月10日（木）14:00〜16:00" in message.body
    assert "ご回答" not in message.body  # member has answered
    assert the_event(message)[0] == "text/calendar; method=REQUEST"


def test_reminder_asks_an_unanswered_invitee_to_answer(convened, time_machine):
    mail.outbox.clear()
    time_machine.move_to("2026-12-09 07:00 +0900", tick=False)
    call_command("send_reminders", "--days", "1")
    assert len(mail.outbox) == 2
    assert all("ご回答" in m.body for m in mail.outbox)


def test_pending_invitations_are_chased_after_n_days(convened, api_as, time_machine):
    answer(api_as, convened.world.member, convened.meeting, "accepted")
    mail.outbox.clear()
    time_machine.move_to("2026-11-23 07:00 +0900", tick=False)
    call_command("send_reminders")
    assert mail.outbox == []  # two days pending: not yet
    time_machine.move_to("2026-11-24 07:00 +0900", tick=False)
    call_command("send_reminders")
    assert [m.to for m in mail.outbox] == [["peer@hellowork.example.jp"]]  # member answered
    assert "出欠のご回答のお願い" in mail.outbox[0].subject
    mail.outbox.clear()
    time_machine.move_to("2026-11-25 07:00 +0900", tick=False)
    call_command("send_reminders")
    assert mail.outbox == []  # once only


def test_reminders_skip_cancelled_and_draft_meetings(
    draft, api_as, django_capture_on_commit_callbacks, time_machine
):
    url = f"/api/v1/meetings/{draft.meeting.pk}/convene/"
    act(api_as, django_capture_on_commit_callbacks, draft.world.coordinator, "post", url)
    url = f"/api/v1/meetings/{draft.meeting.pk}/cancel/"
    act(api_as, django_capture_on_commit_callbacks, draft.world.coordinator, "post", url)
    mail.outbox.clear()
    for day in ("2026-11-24", "2026-12-07"):
        time_machine.move_to(f"{day} 07:00 +0900", tick=False)
        call_command("send_reminders")
    assert mail.outbox == []


def test_negative_days_are_refused(db):
    with pytest.raises(Exception, match="negative"):
        call_command("send_reminders", "--days", "-1")


# --- no case content ------------------------------------------------------------------------


def test_no_mail_carries_anything_of_a_case(
    convened, api_as, django_capture_on_commit_callbacks, time_machine
):
    meeting, coordinator = convened.meeting, convened.world.coordinator
    act(
        api_as,
        django_capture_on_commit_callbacks,
        coordinator,
        "patch",
        f"/api/v1/meetings/{meeting.pk}/",
        {"location": "保健所 大会議室"},
    )
    time_machine.move_to("2026-11-24 07:00 +0900", tick=False)
    call_command("send_reminders")
    time_machine.move_to("2026-12-07 07:00 +0900", tick=False)
    call_command("send_reminders")
    act(
        api_as,
        django_capture_on_commit_callbacks,
        coordinator,
        "post",
        f"/api/v1/meetings/{meeting.pk}/cancel/",
        {"reason": REASON},
    )
    kinds = {m.subject.split("：")[0] for m in mail.outbox}
    assert len(kinds) == 5, kinds  # convened, changed, pending, reminder, cancelled
    for message in mail.outbox:
        text = everything_in(message)
        leaked = [s for s in case_secrets(convened) if s in text]
        assert leaked == [], (message.subject, leaked)


# --- texts written before titles and places were single-line ------------------------------


def test_a_title_with_a_line_break_from_before_neither_stops_nor_splits_the_mails(
    draft, api_as, django_capture_on_commit_callbacks
):
    # Rows written before the single-line rule (or around it) must not break convening,
    # moving or cancelling: a line break in a subject is refused by Django's mail.
    Meeting.objects.filter(pk=draft.meeting.pk).update(
        title="第3回\r\nBcc: outsider@example.com", location="市役所\n会議室"
    )
    draft.peer.display_name = "就労\r\n五郎"
    draft.peer.save(update_fields=["display_name"])
    url = f"/api/v1/meetings/{draft.meeting.pk}/"
    coordinator = draft.world.coordinator
    steps = [
        ("post", url + "convene/", None),
        (
            "patch",
            url,
            {"starts_at": "2026-12-11T10:00:00+09:00", "ends_at": "2026-12-11T12:00:00+09:00"},
        ),
        ("post", url + "cancel/", None),
    ]
    for method, step_url, data in steps:
        mail.outbox.clear()
        act(api_as, django_capture_on_commit_callbacks, coordinator, method, step_url, data)
        assert len(mail.outbox) == 2, step_url
        for message in mail.outbox:
            assert message.subject.endswith("：第3回  Bcc: outsider@example.com")
            rendered = message.message()
            assert rendered["Bcc"] is None
            assert "会議名：第3回  Bcc: outsider@example.com" in message.body
            assert "場所：市役所 会議室" in message.body
            _, _, event = the_event(message)
            assert str(event["SUMMARY"]) == "第3回  Bcc: outsider@example.com"
        [to_peer] = [m for m in mail.outbox if m.to == ["peer@hellowork.example.jp"]]
        assert to_peer.body.startswith("就労  五郎 様")
