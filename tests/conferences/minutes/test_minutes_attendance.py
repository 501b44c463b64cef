"""The practitioners' and representatives' flows to the end: hold, attendance, minutes
(sealed where cases are discussed, audited), approval, amendments, closing."""

import pytest
from django.db import connection

from agencies.models import User
from conferences.models import Attendance, Meeting, Minutes, MinutesRevision
from permissions.models import AccessRecord

pytestmark = pytest.mark.django_db

MINUTES = "事例について保健師が訪問を継続し、クリニックが家族面談を担うことを確認した。"


@pytest.fixture
def held(case_world, api_as, time_machine):
    """A case conference with the submitted case on its agenda, convened and held."""
    time_machine.move_to("2026-12-10 13:00 +0900", tick=False)
    world = case_world.world
    client = api_as(world.coordinator)
    meeting = client.post(
        "/api/v1/meetings/",
        {
            "network": world.network.pk,
            "kind": "case_conference",
            "title": "事例検討会",
            "starts_at": "2026-12-10T14:00:00+09:00",
            "ends_at": "2026-12-10T16:00:00+09:00",
        },
        format="json",
    ).json()
    url = f"/api/v1/meetings/{meeting['id']}/"
    client.post(url + "agenda-items/", {"kind": "case_review", "case": case_world.submitted.pk})
    client.post(url + "convene/")
    time_machine.move_to("2026-12-10 16:30 +0900", tick=False)
    assert client.post(url + "hold/").json()["status"] == "held"
    case_world.meeting = Meeting.objects.get(pk=meeting["id"])
    case_world.url = url
    return case_world


def test_the_practitioners_flow_runs_to_the_end(api_as, held):
    world, url = held.world, held.url
    client = api_as(world.coordinator)
    assert client.post(url + "close/").json()["code"] == "minutes_not_approved"
    attendance = [
        {"person": world.member.pk, "status": "present"},
        {"person": held.peer.pk, "status": "excused"},
    ]
    assert client.put(url + "attendance/", attendance, format="json").status_code == 200
    assert client.put(url + "minutes/", {"body": "初稿"}, format="json").status_code == 200
    assert client.put(url + "minutes/", {"body": MINUTES}, format="json").status_code == 200
    assert client.post(url + "minutes/circulate/").json()["status"] == "circulated"
    approved = client.post(url + "minutes/approve/").json()
    assert (approved["status"], approved["approved_by"]) == ("approved", world.coordinator.pk)
    assert [r["body"] for r in approved["revisions"]] == ["初稿", MINUTES]
    response = client.post(url + "close/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_minutes_of_a_case_meeting_are_stored_sealed(api_as, held):
    api_as(held.world.coordinator).put(held.url + "minutes/", {"body": MINUTES}, format="json")
    minutes = Minutes.objects.get(meeting=held.meeting)
    assert minutes.body == "" and minutes.sealed_body is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, sealed_body FROM conferences_minutesrevision")
        for body, sealed in cursor.fetchall():
            assert MINUTES not in (body or "")
            assert MINUTES.encode() not in bytes(sealed)


def test_reading_case_minutes_is_audited_per_case(api_as, held):
    api_as(held.world.coordinator).put(held.url + "minutes/", {"body": MINUTES}, format="json")
    before = AccessRecord.objects.count()
    response = api_as(held.world.member).get(held.url + "minutes/")
    assert response.status_code == 200
    assert response.json()["body"] == MINUTES
    record = AccessRecord.objects.order_by("id").last()
    assert AccessRecord.objects.count() == before + 1
    assert (record.person, record.case, record.fields) == (
        held.world.member,
        held.submitted,
        ["minutes"],
    )


def test_invitees_lose_case_minutes_after_the_window(api_as, held, time_machine):
    api_as(held.world.coordinator).put(held.url + "minutes/", {"body": MINUTES}, format="json")
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)
    response = api_as(held.world.member).get(held.url + "minutes/")
    assert response.status_code == 403
    assert response.json()["code"] == "minutes_not_readable"
    assert api_as(held.world.coordinator).get(held.url + "minutes/").status_code == 200


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),
        ("colleague", 404),
        ("representative", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_minutes_read_matrix(api_as, held, persona, expected):
    api_as(held.world.coordinator).put(held.url + "minutes/", {"body": MINUTES}, format="json")
    response = api_as(held.person(persona)).get(held.url + "minutes/")
    assert response.status_code == expected
    assert (MINUTES in response.content.decode()) == (expected == 200)


def test_approved_minutes_are_locked_and_amended_by_a_new_record(api_as, held):
    client = api_as(held.world.coordinator)
    client.put(held.url + "minutes/", {"body": MINUTES}, format="json")
    client.post(held.url + "minutes/approve/")
    locked = client.put(held.url + "minutes/", {"body": "書き換え"}, format="json")
    assert locked.status_code == 409
    assert locked.json()["code"] == "minutes_approved"
    amended = client.post(
        held.url + "minutes/amendments/",
        {"body": "訪問頻度は月2回の誤り", "note": "訪問頻度の訂正"},
        format="json",
    )
    assert amended.status_code == 201
    body = amended.json()
    assert body["body"] == MINUTES
    assert [a["note"] for a in body["amendments"]] == ["訪問頻度の訂正"]
    assert MinutesRevision.objects.filter(is_amendment=True).count() == 1


def test_members_cannot_write_minutes(api_as, held):
    response = api_as(held.world.member).put(held.url + "minutes/", {"body": "x"}, format="json")
    assert response.status_code == 403
    assert not Minutes.objects.exists()


def test_attendance_allows_a_substitute_of_the_same_agency(api_as, held):
    world = held.world
    response = api_as(world.coordinator).put(
        held.url + "attendance/",
        [{"person": world.colleague.pk, "status": "present", "substitute_for": world.member.pk}],
        format="json",
    )
    assert response.status_code == 200
    row = Attendance.objects.get()
    assert (row.person, row.substitute_for, row.agency) == (
        world.colleague,
        world.member,
        world.member.agency,
    )


@pytest.mark.parametrize("who", ["stranger", "representative"])
def test_attendance_refuses_people_neither_invited_nor_substituting(api_as, held, who):
    person = getattr(held.world, who)
    response = api_as(held.world.coordinator).put(
        held.url + "attendance/", [{"person": person.pk, "status": "present"}], format="json"
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_attendance_answers_alike_for_an_account_elsewhere_and_for_no_account(api_as, held):
    # A coordinator must not learn which ids are accounts of other networks.
    world = held.world
    absent = User.objects.order_by("-pk").first().pk + 1000
    client = api_as(world.coordinator)

    def answer(entry):
        response = client.put(held.url + "attendance/", [entry], format="json")
        assert response.status_code == 400
        return response.json()

    for extra in ({}, {"substitute_for": world.member.pk}):
        elsewhere = answer({"person": world.stranger.pk, "status": "present", **extra})
        nobody = answer({"person": absent, "status": "present", **extra})
        assert elsewhere == nobody == {"attendance": ["0: この人は招待されていません。"]}
    stood_in_for_elsewhere = answer(
        {"person": world.colleague.pk, "status": "present", "substitute_for": world.stranger.pk}
    )
    stood_in_for_nobody = answer(
        {"person": world.colleague.pk, "status": "present", "substitute_for": absent}
    )
    assert stood_in_for_elsewhere == stood_in_for_nobody
    assert not Attendance.objects.exists()


def test_attendance_before_the_meeting_is_held_is_409(api_as, case_world):
    world = case_world.world
    client = api_as(world.coordinator)
    meeting = client.post(
        "/api/v1/meetings/",
        {
            "network": world.network.pk,
            "kind": "practitioners_meeting",
            "title": "実務者会議",
            "starts_at": "2026-12-10T14:00:00+09:00",
            "ends_at": "2026-12-10T16:00:00+09:00",
        },
        format="json",
    ).json()
    response = client.put(
        f"/api/v1/meetings/{meeting['id']}/attendance/",
        [{"person": world.member.pk, "status": "present"}],
        format="json",
    )
    assert response.status_code == 409


def test_the_representatives_flow_keeps_minutes_in_clear(api_as, case_world, time_machine):
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    world = case_world.world
    client = api_as(world.coordinator)
    meeting = client.post(
        "/api/v1/meetings/",
        {
            "network": world.network.pk,
            "kind": "representatives_meeting",
            "title": "代表者会議",
            "starts_at": "2026-12-10T14:00:00+09:00",
            "ends_at": "2026-12-10T16:00:00+09:00",
        },
        format="json",
    ).json()
    url = f"/api/v1/meetings/{meeting['id']}/"
    client.post(url + "convene/")
    time_machine.move_to("2026-12-10 16:30 +0900", tick=False)
    assert client.post(url + "hold/").json()["status"] == "held"
    client.put(
        url + "attendance/",
        [{"person": world.representative.pk, "status": "present"}],
        format="json",
    )
    client.put(url + "minutes/", {"body": "年間計画を承認した。"}, format="json")
    client.post(url + "minutes/approve/")
    assert client.post(url + "close/").json()["status"] == "closed"
    minutes = Minutes.objects.get(meeting_id=meeting["id"])
    assert minutes.body == "年間計画を承認した。" and minutes.sealed_body is None
    read = api_as(world.representative).get(url + "minutes/")
    assert read.json()["body"] == "年間計画を承認した。"
