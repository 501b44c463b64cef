"""Comments on circulated minutes: who may write and read them, when, and that comments on
the minutes of a case meeting are case content (sealed at rest, audited when read)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from conferences.meetings import services as meeting_services
from conferences.minutes import services as minutes_services
from conferences.models import Meeting, MinutesComment
from network.models import Tier
from permissions.models import AccessRecord
from tests.conftest import CASE_PERSONAS, sign_pledges
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

MINUTES = "事例について保健師が訪問を継続し、クリニックが家族面談を担うことを確認した。"
COMMENT = "家族面談は月2回と記載をお願いします。訪問の担当は保健師で確認済みです。"


def comments_url(meeting) -> str:
    return f"/api/v1/meetings/{meeting.pk}/minutes/comments/"


def new_meeting(client, network, kind, title):
    response = client.post(
        "/api/v1/meetings/",
        {
            "network": network.pk,
            "kind": kind,
            "title": title,
            "starts_at": "2026-12-10T14:00:00+09:00",
            "ends_at": "2026-12-10T16:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def held(case_world, api_as, time_machine):
    """A case conference reviewing the submitted case, convened and held, with minutes
    written (not yet circulated). Invited: member and peer."""
    time_machine.move_to("2026-12-10 13:00 +0900", tick=False)
    world = case_world.world
    client = api_as(world.coordinator)
    pk = new_meeting(client, world.network, "case_conference", "事例検討会")
    url = f"/api/v1/meetings/{pk}/"
    client.post(url + "agenda-items/", {"kind": "case_review", "case": case_world.submitted.pk})
    assert client.post(url + "convene/").status_code == 200
    time_machine.move_to("2026-12-10 16:30 +0900", tick=False)
    assert client.post(url + "hold/").status_code == 200
    assert client.put(url + "minutes/", {"body": MINUTES}, format="json").status_code == 200
    case_world.meeting = Meeting.objects.get(pk=pk)
    case_world.url = url
    return case_world


@pytest.fixture
def circulated(held, api_as):
    assert api_as(held.world.coordinator).post(held.url + "minutes/circulate/").status_code == 200
    return held


def comment(api_as, user, meeting, body=COMMENT):
    return api_as(user).post(comments_url(meeting), {"body": body}, format="json")


# --- who may do what ---------------------------------------------------------------------------

WRITE = {
    "coordinator": 201,
    "member": 201,  # invited
    "peer": 201,  # invited
    "colleague": 404,  # same agency as member, not invited: does not see the meeting
    "representative": 404,  # a practitioners' meeting
    "auditor": 404,
    "admin": 404,
    "stranger": 404,  # another network
    "anonymous": 401,
}
READ = {**WRITE, "coordinator": 200, "member": 200, "peer": 200}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_comment_write_matrix(api_as, circulated, persona):
    person = circulated.person(persona)
    response = comment(api_as, person, circulated.meeting)
    assert response.status_code == WRITE[persona], response.content
    assert MinutesComment.objects.exists() == (WRITE[persona] == 201)
    if WRITE[persona] == 201:
        row = MinutesComment.objects.get()
        assert response.json() == {
            "id": row.pk,
            "body": COMMENT,
            "author": person.pk,
            "created_at": "2026-12-10T16:30:00+09:00",
        }
        assert row.author == person
    else:
        assert COMMENT not in response.content.decode()


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_comment_read_matrix(api_as, circulated, persona):
    comment(api_as, circulated.world.member, circulated.meeting)
    response = api_as(circulated.person(persona)).get(comments_url(circulated.meeting))
    assert response.status_code == READ[persona]
    assert (COMMENT in response.content.decode()) == (READ[persona] == 200)
    if READ[persona] == 200:
        [row] = response.json()["results"]
        assert set(row) == {"id", "body", "author", "created_at"}
        assert (row["body"], row["author"]) == (COMMENT, circulated.world.member.pk)


def test_another_networks_coordinator_gets_404(api_as, circulated):
    other_coordinator = User.objects.get(username="other_coordinator")
    client = api_as(other_coordinator)
    assert client.get(comments_url(circulated.meeting)).status_code == 404
    assert comment(api_as, other_coordinator, circulated.meeting).status_code == 404
    missing = api_as(circulated.world.coordinator).get("/api/v1/meetings/999999/minutes/comments/")
    assert missing.status_code == 404


def test_comments_of_another_networks_meeting_are_404(api_as, case_world, time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    world = case_world.world
    other_coordinator = User.objects.get(username="other_coordinator")
    pk = new_meeting(
        api_as(other_coordinator), world.other_network, "practitioners_meeting", "他市"
    )
    meeting = meeting_services.meeting_convene(
        actor=other_coordinator, meeting=Meeting.objects.get(pk=pk)
    )
    # Its minutes and a comment are there (the stranger is invited; pledged in its network).
    sign_pledges(world.other_network, other_coordinator, world.stranger)
    minutes_services.minutes_save(actor=other_coordinator, meeting=meeting, body="他市の議事録")
    minutes_services.minutes_circulate(actor=other_coordinator, meeting=meeting)
    assert comment(api_as, world.stranger, meeting).status_code == 201
    for person in (world.coordinator, world.member, world.representative, world.auditor):
        assert api_as(person).get(comments_url(meeting)).status_code == 404
        assert comment(api_as, person, meeting).status_code == 404
    assert MinutesComment.objects.count() == 1


# --- when ----------------------------------------------------------------------------------------


def test_no_comments_on_draft_minutes(api_as, held):
    response = comment(api_as, held.world.member, held.meeting)
    assert response.status_code == 409
    assert response.json()["code"] == "minutes_not_circulated"
    assert not MinutesComment.objects.exists()


def test_no_comments_before_there_are_minutes(api_as, case_world, time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    client = api_as(case_world.world.coordinator)
    pk = new_meeting(client, case_world.world.network, "practitioners_meeting", "実務者会議")
    client.post(f"/api/v1/meetings/{pk}/convene/")
    meeting = Meeting.objects.get(pk=pk)
    response = comment(api_as, case_world.world.member, meeting)
    assert response.status_code == 409
    assert response.json()["code"] == "minutes_not_circulated"
    listed = api_as(case_world.world.member).get(comments_url(meeting))
    assert (listed.status_code, listed.json()["count"]) == (200, 0)


def test_approved_minutes_take_no_more_comments_but_keep_theirs(api_as, circulated):
    world = circulated.world
    assert comment(api_as, world.member, circulated.meeting).status_code == 201
    api_as(world.coordinator).post(circulated.url + "minutes/approve/")
    late = comment(api_as, circulated.peer, circulated.meeting, body="追記です。")
    assert late.status_code == 409
    assert late.json()["code"] == "minutes_not_circulated"
    listed = api_as(circulated.peer).get(comments_url(circulated.meeting)).json()
    assert [row["body"] for row in listed["results"]] == [COMMENT]


def test_an_empty_comment_is_400(api_as, circulated):
    for body in ("", "   "):
        response = comment(api_as, circulated.world.member, circulated.meeting, body=body)
        assert response.status_code == 400
        assert isinstance(response.json()["body"], list)
    assert not MinutesComment.objects.exists()


def test_a_permission_refusal_comes_before_the_state(api_as, held, time_machine):
    """An invitee past the content window gets 403 whatever the minutes' state."""
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)
    response = comment(api_as, held.world.member, held.meeting)
    assert response.status_code == 403
    assert response.json()["code"] == "minutes_not_readable"


def test_invitees_lose_the_comments_with_the_minutes_after_the_window(
    api_as, circulated, time_machine
):
    world = circulated.world
    comment(api_as, world.member, circulated.meeting)
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)  # 14 days after the end
    for method in ("get", "post"):
        response = getattr(api_as(world.member), method)(
            comments_url(circulated.meeting), {"body": COMMENT}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "minutes_not_readable"
        assert COMMENT not in response.content.decode()
    assert MinutesComment.objects.count() == 1
    coordinator = api_as(world.coordinator).get(comments_url(circulated.meeting))
    assert [row["body"] for row in coordinator.json()["results"]] == [COMMENT]


# --- case content: sealed and audited ----------------------------------------------------------


def test_comments_on_case_minutes_are_stored_sealed(api_as, circulated):
    comment(api_as, circulated.world.member, circulated.meeting)
    row = MinutesComment.objects.get()
    assert row.body == "" and row.sealed_body is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, sealed_body FROM conferences_minutescomment")
        [(body, sealed)] = cursor.fetchall()
    assert COMMENT not in (body or "")
    assert COMMENT.encode() not in bytes(sealed)


def test_a_sealed_comment_moved_to_another_row_does_not_read(api_as, circulated):
    world = circulated.world
    comment(api_as, world.member, circulated.meeting)
    comment(api_as, circulated.peer, circulated.meeting, body="確認しました。")
    first, second = MinutesComment.objects.order_by("id")
    MinutesComment.objects.filter(pk=second.pk).update(sealed_body=first.sealed_body)
    response = api_as(world.coordinator).get(comments_url(circulated.meeting))
    assert response.status_code == 500
    assert response.json()["code"] == "content_integrity"
    assert COMMENT not in response.content.decode()


def test_reading_comments_is_audited_per_reviewed_case(api_as, circulated):
    world = circulated.world
    comment(api_as, world.member, circulated.meeting)
    before = AccessRecord.objects.count()
    response = api_as(circulated.peer).get(comments_url(circulated.meeting))
    assert response.status_code == 200
    assert AccessRecord.objects.count() == before + 1
    record = AccessRecord.objects.order_by("id").last()
    assert (record.person, record.case, record.fields, record.via) == (
        circulated.peer,
        circulated.submitted,
        ["minutes_comments"],
        "GET /meetings/{id}/minutes/comments/",
    )


def test_posting_a_comment_is_audited_as_its_response_carries_it(api_as, circulated):
    before = AccessRecord.objects.count()
    assert comment(api_as, circulated.world.member, circulated.meeting).status_code == 201
    assert AccessRecord.objects.count() == before + 1
    record = AccessRecord.objects.order_by("id").last()
    assert (record.person, record.case, record.via) == (
        circulated.world.member,
        circulated.submitted,
        "POST /meetings/{id}/minutes/comments/",
    )


def test_an_empty_list_and_a_refusal_write_no_record(api_as, circulated):
    before = AccessRecord.objects.count()
    assert api_as(circulated.world.member).get(comments_url(circulated.meeting)).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    comment(api_as, circulated.world.member, circulated.meeting, body="")
    comment(api_as, circulated.world.colleague, circulated.meeting)
    assert AccessRecord.objects.count() == before


def test_comment_list_query_count_does_not_grow(api_as, circulated, django_assert_max_num_queries):
    world = circulated.world
    client = api_as(world.member)

    def count_queries(page_size):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(comments_url(circulated.meeting) + f"?page_size={page_size}")
        assert response.status_code == 200
        return len(captured)

    comment(api_as, world.member, circulated.meeting)
    few = count_queries(200)
    for n in range(15):
        comment(api_as, circulated.peer, circulated.meeting, body=f"コメント{n}")
    client = api_as(world.member)
    assert count_queries(200) == few
    # The meeting, the coordinator check (user and group permissions), the pledge, the
    # invitation, the count, the page, the cases, and the access record (the chain head
    # fetched, then locked, the record, the head saved), in two savepoints.
    with django_assert_max_num_queries(16):
        client.get(comments_url(circulated.meeting) + "?page_size=200")


# --- representatives' minutes: kept in clear ----------------------------------------------------


@pytest.fixture
def reps_circulated(case_world, api_as, time_machine):
    """A convened representatives' meeting with circulated minutes (the representative is
    invited)."""
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    world = case_world.world
    client = api_as(world.coordinator)
    pk = new_meeting(client, world.network, "representatives_meeting", "代表者会議")
    url = f"/api/v1/meetings/{pk}/"
    client.post(url + "convene/")
    client.put(url + "minutes/", {"body": "年間計画を承認した。"}, format="json")
    client.post(url + "minutes/circulate/")
    case_world.meeting = Meeting.objects.get(pk=pk)
    return case_world


def test_representatives_comment_in_clear_without_audit(api_as, reps_circulated):
    world = reps_circulated.world
    before = AccessRecord.objects.count()
    posted = comment(api_as, world.representative, reps_circulated.meeting, body="賛成です。")
    assert posted.status_code == 201
    row = MinutesComment.objects.get()
    assert (row.body, row.sealed_body) == ("賛成です。", None)
    listed = api_as(world.coordinator).get(comments_url(reps_circulated.meeting))
    assert [r["body"] for r in listed.json()["results"]] == ["賛成です。"]
    assert AccessRecord.objects.count() == before
    # A practitioner does not see the representatives' meeting.
    assert api_as(world.member).get(comments_url(reps_circulated.meeting)).status_code == 404


def test_a_representative_not_invited_reads_but_does_not_comment(api_as, reps_circulated):
    world = reps_circulated.world
    council = AgencyFactory(name="民生委員児童委員協議会")
    latecomer = UserFactory(agency=council)
    seat(world.network, council, Tier.REPRESENTATIVES, people=[latecomer])
    comment(api_as, world.representative, reps_circulated.meeting)
    read = api_as(latecomer).get(comments_url(reps_circulated.meeting))
    assert read.status_code == 200
    assert read.json()["count"] == 1
    refused = comment(api_as, latecomer, reps_circulated.meeting, body="意見です。")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_invited"
    assert MinutesComment.objects.count() == 1
