"""The meeting pages: who sees which meeting (200, 404, anonymous to the login page), the
list with each person's own answer and nothing of other networks, answering one's own
invitation (in place with htmx, or without JavaScript), the agenda's case content within
the meeting's content window (recorded) and not after it (nothing recorded), and the
calendar feed's address renewed and revoked."""

import pytest

from conferences.models import Invitation
from permissions.models import AccessRecord
from permissions.selectors import access_chain_verify
from tests.conftest import CASE_PERSONAS, CLEAN_CASE, make_case
from tests.web.meetings.conftest import ONLINE, convene, new_meeting

pytestmark = pytest.mark.django_db


def detail_url(meeting):
    return f"/meetings/{meeting.pk}/"


def answer_url(invitation):
    return f"/meetings/invitations/{invitation.pk}/answer/"


# --- the list ---------------------------------------------------------------------------------

# Which of the three meetings each person's list shows.
LISTED = {
    "coordinator": {"conference", "representatives"},
    "member": {"conference"},
    "peer": {"conference"},
    "colleague": set(),  # not designated, not invited
    "representative": {"representatives"},
    "auditor": set(),
    "admin": set(),  # platform admins do not see meetings
    "stranger": {"elsewhere"},
}
TITLES = {
    "conference": "第3回 事例検討会",
    "representatives": "代表者会議",
    "elsewhere": "他市の事例検討会",
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_list_shows_each_person_their_meetings_only(page_as, mw, persona):
    response = page_as(mw.person(persona)).get("/meetings/")
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        return
    assert response.status_code == 200
    text = response.content.decode()
    for name, title in TITLES.items():
        assert (title in text) == (name in LISTED[persona]), name
        if name not in LISTED[persona]:
            assert f"/meetings/{getattr(mw, name).pk}/" not in text


def test_list_shows_my_answer(page_as, mw):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.world.member)
    invitation.response = Invitation.Response.DECLINED
    invitation.save()
    text = page_as(mw.world.member).get("/meetings/").content.decode()
    assert "欠席" in text
    peer_text = page_as(mw.cw.peer).get("/meetings/").content.decode()
    assert "未回答" in peer_text and "欠席" not in peer_text


def test_list_puts_upcoming_first_and_past_after(page_as, mw, time_machine):
    coordinator = mw.world.coordinator
    convene(
        coordinator,
        new_meeting(
            coordinator,
            mw.world.network,
            title="先月の実務者会議",
            kind="practitioners_meeting",
            starts_at="2026-10-10T14:00:00+09:00",
            ends_at="2026-10-10T16:00:00+09:00",
        ),
    )
    text = page_as(mw.world.member).get("/meetings/").content.decode()
    upcoming, past = text.split("過去の会議")
    assert "第3回 事例検討会" in upcoming and "先月の実務者会議" not in upcoming
    assert "先月の実務者会議" in past
    assert "2026年12月10日 14:00" in upcoming


def _many_meetings(mw, count):
    coordinator = mw.world.coordinator
    for n in range(count):
        day = 1 + n % 28
        month = "12" if n % 2 else "10"  # half upcoming, half past
        convene(
            coordinator,
            new_meeting(
                coordinator,
                mw.world.network,
                title=f"会議{n}",
                kind="practitioners_meeting",
                starts_at=f"2026-{month}-{day:02d}T09:00:00+09:00",
                ends_at=f"2026-{month}-{day:02d}T10:00:00+09:00",
            ),
        )


@pytest.mark.parametrize("persona", ["coordinator", "member"])
@pytest.mark.parametrize("count", [0, 30])
def test_list_query_count_does_not_grow(page_as, mw, persona, count, django_assert_max_num_queries):
    _many_meetings(mw, count)
    client = page_as(mw.person(persona))
    with django_assert_max_num_queries(9):
        response = client.get("/meetings/")
    assert response.status_code == 200
    if count:
        assert response.content.decode().count("会議2") >= 1


def test_past_meetings_are_paged_the_latest_first(page_as, mw):
    coordinator = mw.world.coordinator
    for day in range(1, 23):  # 22 past meetings: two pages of 20
        convene(
            coordinator,
            new_meeting(
                coordinator,
                mw.world.network,
                title=f"十月{day}日の会議",
                kind="practitioners_meeting",
                starts_at=f"2026-10-{day:02d}T09:00:00+09:00",
                ends_at=f"2026-10-{day:02d}T10:00:00+09:00",
            ),
        )
    client = page_as(mw.world.member)
    first = client.get("/meetings/").content.decode()
    assert "十月22日の会議" in first and "十月3日の会議" in first
    assert "十月2日の会議" not in first
    assert "2ページ中1ページ目" in first
    second = client.get("/meetings/?page=2").content.decode()
    assert "十月2日の会議" in second and "十月1日の会議" in second
    assert "十月22日の会議" not in second
    assert "第3回 事例検討会" in second  # the upcoming ones stay on every page


# --- one meeting ------------------------------------------------------------------------------

SEES_CONFERENCE = {
    "coordinator": 200,
    "member": 200,
    "peer": 200,
    "colleague": 404,
    "representative": 404,
    "auditor": 404,
    "admin": 404,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_detail_matrix(page_as, mw, persona):
    response = page_as(mw.person(persona)).get(detail_url(mw.conference))
    assert response.status_code == SEES_CONFERENCE[persona]
    if response.status_code == 404:
        assert "第3回 事例検討会" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("representative", 200), ("coordinator", 200), ("member", 404), ("stranger", 404)],
)
def test_representatives_meeting_matrix(page_as, mw, persona, expected):
    response = page_as(mw.person(persona)).get(detail_url(mw.representatives))
    assert response.status_code == expected


def test_another_networks_meeting_and_junk_ids_are_404(page_as, mw):
    client = page_as(mw.world.coordinator)
    assert client.get(detail_url(mw.elsewhere)).status_code == 404
    assert client.get("/meetings/99999999/").status_code == 404
    assert client.get("/meetings/abc/").status_code == 404


def test_a_draft_is_the_coordinators_only(page_as, mw):
    draft = new_meeting(mw.world.coordinator, mw.world.network, title="下書きの会議")
    assert page_as(mw.world.coordinator).get(detail_url(draft)).status_code == 200
    assert page_as(mw.world.member).get(detail_url(draft)).status_code == 404


def test_detail_shows_time_place_link_agenda_and_calendar(page_as, mw):
    response = page_as(mw.cw.peer).get(detail_url(mw.conference))
    text = response.content.decode()
    assert "2026年12月10日 14:00" in text and "16:00" in text
    assert "市役所 会議室" in text
    assert f'<a href="{ONLINE}"' in text
    assert f'href="/api/v1/meetings/{mw.conference.pk}/calendar.ics"' in text
    topic, case = text.index("前回の振り返り"), text.index(mw.cw.submitted.code)
    assert topic < case  # in the agenda's order
    assert "出席する" in text and "欠席する" in text


@pytest.mark.parametrize(("topics", "cases"), [(0, 0), (15, 0), (1, 1), (3, 6)])
def test_detail_query_count_does_not_grow_with_the_agenda(
    page_as, mw, topics, cases, django_assert_max_num_queries
):
    """Topics and case reviews alike: the cases' content is read in one audited reading
    (one access record per case, written together), whatever their number."""
    from conferences.meetings import services

    meeting = new_meeting(mw.world.coordinator, mw.world.network, kind="practitioners_meeting")
    for n in range(topics):
        services.agenda_item_add(
            actor=mw.world.coordinator, meeting=meeting, kind="topic", title=f"議題{n}"
        )
    reviewed = [make_case(mw.world.member, mw.world.network, submit=True) for _ in range(cases)]
    for case in reviewed:
        services.agenda_item_add(
            actor=mw.world.coordinator, meeting=meeting, kind="case_review", case=case
        )
    convene(mw.world.coordinator, meeting)
    client = page_as(mw.world.member)
    with django_assert_max_num_queries(9 if not cases else 19):
        response = client.get(detail_url(meeting))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count(CLEAN_CASE["summary"]) == cases
    for case in reviewed:
        assert records(mw.world.member, case).count() == 1
    # Written together, the records still form one verified chain (`access_records_write`).
    assert access_chain_verify(mw.world.network, witness=None).ok


def test_the_calendar_file_opens_with_the_page_session(page_as, mw):
    client = page_as(mw.world.member)
    response = client.get(f"/api/v1/meetings/{mw.conference.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"SUMMARY" in response.content


# --- the agenda's case content ------------------------------------------------------------------


def records(person, case):
    return AccessRecord.objects.filter(person=person, case=case)


@pytest.mark.parametrize("persona", ["peer", "member", "coordinator"])
def test_case_content_within_the_window_is_shown_and_recorded(page_as, mw, persona):
    person, case = mw.person(persona), mw.cw.submitted
    before = records(person, case).count()
    text = page_as(person).get(detail_url(mw.conference)).content.decode()
    assert CLEAN_CASE["summary"] in text
    assert CLEAN_CASE["questions"] in text
    assert "2026年12月24日 16:00 まで閲覧できます" in text
    assert records(person, case).count() == before + 1
    assert records(person, case).last().via == f"page /meetings/{mw.conference.pk}/"


@pytest.mark.parametrize("persona", ["peer", "member", "coordinator"])
def test_case_content_after_the_window_is_refused_and_not_recorded(
    page_as, mw, persona, time_machine
):
    person, case = mw.person(persona), mw.cw.submitted
    time_machine.move_to("2026-12-24T16:01:00+09:00", tick=False)
    client = page_as(person)  # signed in anew: the old session has timed out
    before = records(person, case).count()
    response = client.get(detail_url(mw.conference))
    assert response.status_code == 200
    text = response.content.decode()
    assert case.code in text
    assert CLEAN_CASE["summary"] not in text
    assert "閲覧できる期間は2026年12月24日 16:00に終了しました" in text
    assert records(person, case).count() == before


def test_a_representatives_meeting_shows_no_case_content(page_as, mw):
    text = page_as(mw.world.representative).get(detail_url(mw.representatives)).content.decode()
    assert "閲覧できます" not in text
    assert not AccessRecord.objects.filter(person=mw.world.representative).exists()


def test_someone_refused_the_content_gets_no_until_notice(page_as, mw):
    """The peer still sees the case (its facts) but no longer its content: no content, no
    "you may read … until" notice, nothing recorded."""
    from permissions import services as grants

    case = mw.cw.submitted
    grants.case_user_revoke(case=case, source=f"meeting:{mw.conference.pk}", user=mw.cw.peer)
    text = page_as(mw.cw.peer).get(detail_url(mw.conference)).content.decode()
    assert case.code in text
    assert CLEAN_CASE["summary"] not in text
    assert "この事例の内容を閲覧する権限がありません。" in text
    assert "まで閲覧できます" not in text
    assert not records(mw.cw.peer, case).exists()


def test_the_case_content_carries_the_case_pages_labels(page_as, mw):
    """The case page's labels (conferences.cases.forms.NARRATIVE_LABELS), not a copy."""
    client = page_as(mw.cw.peer)
    text = client.get(detail_url(mw.conference), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>Course so far</dt>" in text
    assert "<dt>History</dt>" not in text


# --- answering ----------------------------------------------------------------------------------

ANSWER = {
    "member": 302,  # their own: back to the meeting
    "peer": 403,  # sees the meeting, not their invitation
    "coordinator": 403,
    "colleague": 404,
    "representative": 404,
    "auditor": 404,
    "admin": 404,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_answer_matrix(page_as, mw, persona):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.world.member)
    response = page_as(mw.person(persona)).post(answer_url(invitation), {"response": "accepted"})
    assert response.status_code == ANSWER[persona]
    invitation.refresh_from_db()
    assert (invitation.response == "accepted") == (persona == "member")
    if persona == "member":
        assert response["Location"] == detail_url(mw.conference)
        assert invitation.responded_at is not None
    elif persona == "anonymous":
        assert response["Location"].startswith("/login/")
    elif ANSWER[persona] == 403:
        assert "この操作を行う権限がありません。" in response.content.decode()


def test_answer_in_place_with_htmx(page_as, mw):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.cw.peer)
    response = page_as(mw.cw.peer).post(
        answer_url(invitation), {"response": "declined"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text  # the fragment only
    assert "<strong>欠席</strong>" in text
    invitation.refresh_from_db()
    assert invitation.response == "declined"


def test_answer_without_javascript_says_so_on_the_meeting_page(page_as, mw):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.cw.peer)
    response = page_as(mw.cw.peer).post(
        answer_url(invitation), {"response": "accepted"}, follow=True
    )
    text = response.content.decode()
    assert "回答を記録しました: 出席" in text
    assert "<strong>出席</strong>" in text


def test_a_bad_answer_is_400_and_changes_nothing(page_as, mw):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.cw.peer)
    response = page_as(mw.cw.peer).post(answer_url(invitation), {"response": "maybe"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_answering_is_get_proof(page_as, mw):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.cw.peer)
    response = page_as(mw.cw.peer).get(answer_url(invitation) + "?response=accepted")
    assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_answering_a_held_meeting_is_409_in_words(page_as, mw, time_machine):
    from conferences.meetings import services

    time_machine.move_to("2026-12-10T16:30:00+09:00", tick=False)
    services.meeting_hold(actor=mw.world.coordinator, meeting=mw.conference)
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.cw.peer)
    client = page_as(mw.cw.peer)
    assert "出席する" not in client.get(detail_url(mw.conference)).content.decode()
    response = client.post(answer_url(invitation), {"response": "accepted"})
    assert response.status_code == 409
    assert "開催済み" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_answer_buttons_follow_the_rule_for_someone_who_changed_agency(page_as, mw):
    """The representative moves to another agency of the representatives' tier: their
    invitation lapses (it opens nothing any more) yet they still see the meeting, and the
    rule lets them answer it (it is theirs): the page offers the buttons, and they work."""
    from agencies import services as agency_services
    from network.models import Tier
    from tests.factories import AgencyFactory, seat

    person = mw.world.representative
    council = AgencyFactory(name="民生委員協議会")
    person = agency_services.user_update(user=person, agency=council)
    seat(mw.world.network, council, Tier.REPRESENTATIVES, people=[person])
    invitation = Invitation.objects.get(meeting=mw.representatives, person=person)
    assert invitation.lapsed_at is not None
    client = page_as(person)
    text = client.get(detail_url(mw.representatives)).content.decode()
    assert "出席する" in text and "欠席する" in text
    assert answer_url(invitation) in text
    response = client.post(answer_url(invitation), {"response": "accepted"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.response == "accepted"


def test_no_answer_buttons_for_someone_else_or_once_held(page_as, mw, time_machine):
    from conferences.meetings import services

    assert (
        "出席する"
        not in page_as(mw.world.coordinator).get(detail_url(mw.conference)).content.decode()
    )
    time_machine.move_to("2026-12-10T16:30:00+09:00", tick=False)
    services.meeting_hold(actor=mw.world.coordinator, meeting=mw.conference)
    text = page_as(mw.world.member).get(detail_url(mw.conference)).content.decode()
    assert "出席する" not in text


def test_the_answer_status_takes_the_focus_after_a_swap(page_as, mw):
    invitation = Invitation.objects.get(meeting=mw.conference, person=mw.cw.peer)
    response = page_as(mw.cw.peer).post(
        answer_url(invitation), {"response": "accepted"}, HTTP_HX_REQUEST="true"
    )
    assert 'tabindex="-1" data-focus-after-swap' in response.content.decode()


# --- the calendar feed --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_feed_page_matrix(page_as, mw, persona):
    response = page_as(mw.person(persona)).get("/meetings/feed/")
    assert response.status_code == (302 if persona == "anonymous" else 200)


def test_renew_shows_the_address_once_and_the_old_one_stops(page_as, mw):
    client = page_as(mw.cw.peer)
    first = client.post("/meetings/feed/", {"action": "renew"})
    assert first.status_code == 200
    first_address = first.context["address"]
    assert first_address.startswith("http://testserver/api/v1/calendar/")
    assert f'value="{first_address}" readonly' in first.content.decode()
    feed = client.get(first_address.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert "第3回 事例検討会" in feed.content.decode()
    assert CLEAN_CASE["summary"] not in feed.content.decode()

    again = client.get("/meetings/feed/").content.decode()
    assert first_address not in again  # only the digest is kept

    second = client.post("/meetings/feed/", {"action": "renew"})
    assert second.context["address"] != first_address
    assert client.get(first_address.removeprefix("http://testserver")).status_code == 404


def test_revoke_leaves_no_feed(page_as, mw):
    client = page_as(mw.cw.peer)
    address = client.post("/meetings/feed/", {"action": "renew"}).context["address"]
    response = client.post("/meetings/feed/", {"action": "revoke"}, follow=True)
    assert response.redirect_chain[-1][0] == "/meetings/feed/"
    assert not mw.cw.peer.__class__.objects.get(pk=mw.cw.peer.pk).__dict__.get("calendar_token")
    from conferences.models import CalendarToken

    assert not CalendarToken.objects.filter(person=mw.cw.peer).exists()
    assert client.get(address.removeprefix("http://testserver")).status_code == 404


def test_a_bad_feed_action_is_400(page_as, mw):
    response = page_as(mw.cw.peer).post("/meetings/feed/", {"action": "explode"})
    assert response.status_code == 400
