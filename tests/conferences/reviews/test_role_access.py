"""Who may do what in the role division: persona matrices for every endpoint, the access
role holders gain and keep, and what resets an agreement."""

import pytest

from conferences.cases import services as case_services
from conferences.models import Agreement, Attendance
from conferences.reviews import services as review_services
from tests.conferences.role_fixtures import (
    TASKS,
    add_invited_role,
    add_role,
    final_review,
    hold_case_conference,
)

pytestmark = pytest.mark.django_db

PEOPLE = [
    "coordinator",
    "member",
    "colleague",
    "peer",
    "third",
    "outsider",
    "representative",
    "auditor",
    "admin",
    "stranger",
    "anonymous",
]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),  # the submitting agency, invited
        ("colleague", 200),  # the submitting agency's staff
        ("peer", 200),  # invited, within the content window
        ("third", 200),
        ("outsider", 404),  # no role, no seat: the case does not exist for them
        ("representative", 404),
        ("auditor", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_reading_reviews(api_as, roles_world, persona, expected):
    url = f"/api/v1/cases/{roles_world.case.pk}/reviews/"
    response = api_as(roles_world.person(persona)).get(url)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["results"][0]["assessment"].startswith("本人は外出")
        single = api_as(roles_world.person(persona)).get(
            f"/api/v1/reviews/{roles_world.review.pk}/"
        )
        assert single.status_code == 200
    elif expected == 404:
        single = api_as(roles_world.person(persona)).get(
            f"/api/v1/reviews/{roles_world.review.pk}/"
        )
        assert single.status_code == 404


def test_invitees_lose_reviews_after_the_window_and_keep_the_facts(
    api_as, roles_world, time_machine
):
    time_machine.move_to("2026-12-24 16:01 +0900", tick=False)
    client = api_as(roles_world.cw.peer)
    assert client.get(f"/api/v1/cases/{roles_world.case.pk}/").json()["content"] is None
    refused = client.get(f"/api/v1/cases/{roles_world.case.pk}/reviews/")
    assert (refused.status_code, refused.json()["code"]) == (403, "content_not_readable")
    assert (
        api_as(roles_world.world.member)
        .get(f"/api/v1/reviews/{roles_world.review.pk}/")
        .status_code
        == 200
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 201),
        ("member", 201),  # attendee of the held meeting
        ("peer", 201),
        ("colleague", 400),  # sees the case, not the meeting: no such meeting for them
        ("representative", 404),
        ("auditor", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_writing_a_review_at_the_meeting(api_as, case_world, time_machine, persona, expected):
    meeting = hold_case_conference(case_world, api_as, time_machine)
    response = api_as(case_world.person(persona)).post(
        f"/api/v1/cases/{case_world.submitted.pk}/reviews/",
        {"meeting": meeting.pk, "assessment": "見立て"},
        format="json",
    )
    assert response.status_code == expected


def test_an_attendee_recorded_absent_does_not_write(api_as, case_world, time_machine):
    meeting = hold_case_conference(case_world, api_as, time_machine)
    Attendance.objects.create(
        meeting=meeting,
        person=case_world.peer,
        agency=case_world.peer.agency,
        status=Attendance.Status.ABSENT,
    )
    response = api_as(case_world.peer).post(
        f"/api/v1/cases/{case_world.submitted.pk}/reviews/",
        {"meeting": meeting.pk},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_a_review_writer")


def test_outside_a_meeting_only_coordinators_review(api_as, case_world):
    url = f"/api/v1/cases/{case_world.submitted.pk}/reviews/"
    assert api_as(case_world.world.member).post(url, {}, format="json").status_code == 403
    created = api_as(case_world.world.coordinator).post(url, {"notes": "電話で協議"}, format="json")
    assert created.status_code == 201
    again = api_as(case_world.world.coordinator).post(url, {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "review_open")


def test_a_draft_case_cannot_be_reviewed(api_as, case_world):
    response = api_as(case_world.world.member).get(f"/api/v1/cases/{case_world.draft.pk}/")
    assert response.status_code == 200
    refused = api_as(case_world.world.coordinator).post(
        f"/api/v1/cases/{case_world.draft.pk}/reviews/", {}, format="json"
    )
    assert refused.status_code == 404  # a draft is its agency's alone


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 201),
        ("member", 201),
        ("colleague", 403),
        ("outsider", 404),
        ("representative", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_assigning_roles(api_as, roles_world, persona, expected):
    response = api_as(roles_world.person(persona)).post(
        f"/api/v1/reviews/{roles_world.review.pk}/roles/",
        {"agency": roles_world.third.agency_id, "function": "outreach", "involvement": "new"},
        format="json",
    )
    assert response.status_code == expected


def test_attendees_write_only_while_the_meeting_is_held(api_as, roles_world):
    meeting = roles_world.meeting
    meeting.status = "closed"
    meeting.save(update_fields=["status"])
    response = api_as(roles_world.world.member).post(
        f"/api/v1/reviews/{roles_world.review.pk}/roles/",
        {"agency": roles_world.third.agency_id, "function": "outreach", "involvement": "new"},
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "body", "expected"),
    [
        ("member", {}, 200),  # designated for the clinic
        ("colleague", {}, 403),  # the clinic's staff, not designated
        ("peer", {}, 403),  # another agency cannot answer for the clinic
        ("coordinator", {}, 403),  # not the clinic's
        ("coordinator", {"on_behalf": True, "note": "会議で口頭了承"}, 200),
        ("member", {"on_behalf": True, "note": "x"}, 403),
        ("outsider", {}, 404),
        ("stranger", {}, 404),
        ("anonymous", {}, 401),
    ],
)
def test_agreeing(api_as, roles_world, persona, body, expected):
    role = add_role(roles_world, roles_world.world.member.agency)
    response = api_as(roles_world.person(persona)).post(
        f"/api/v1/roles/{role.pk}/agree/", body, format="json"
    )
    assert response.status_code == expected
    role.refresh_from_db()
    assert (role.agreement == Agreement.AGREED) == (expected == 200)


def test_an_agreement_on_behalf_needs_a_note(api_as, roles_world):
    role = add_role(roles_world, roles_world.world.member.agency)
    response = api_as(roles_world.world.coordinator).post(
        f"/api/v1/roles/{role.pk}/agree/", {"on_behalf": True}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()


@pytest.mark.parametrize(
    ("persona", "expected"), [("third", 200), ("peer", 403), ("coordinator", 403)]
)
def test_declining(api_as, roles_world, persona, expected):
    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    response = api_as(roles_world.person(persona)).post(
        f"/api/v1/roles/{role.pk}/decline/", {"reason": "訪問できる職員がいないため"}, format="json"
    )
    assert response.status_code == expected


def test_an_outside_agency_reads_the_case_only_once_it_agrees(api_as, roles_world):
    station = roles_world.outsider.agency
    role = add_invited_role(roles_world, station, function="place_to_belong", involvement="new")
    case_url = f"/api/v1/cases/{roles_world.case.pk}/"
    client = api_as(roles_world.outsider)
    facts = client.get(case_url)
    assert facts.status_code == 200 and facts.json()["content"] is None
    own = client.get(f"/api/v1/roles/{role.pk}/")
    assert own.status_code == 200 and own.json()["tasks"] == TASKS
    assert own.json()["outside_network"] is True
    assert client.get(f"/api/v1/cases/{roles_world.case.pk}/reviews/").status_code == 403

    review_services.role_agree(
        actor=roles_world.world.coordinator, role=role, on_behalf=True, note="電話で了承"
    )
    assert api_as(roles_world.outsider).get(case_url).json()["content"] is not None


def test_role_holders_keep_their_own_tasks_after_the_case_closes(api_as, roles_world, time_machine):
    lead, family = final_review(roles_world)
    third = roles_world.third
    time_machine.move_to("2027-01-15 10:00 +0900", tick=False)  # the meeting's window is over
    assert api_as(third).get(f"/api/v1/cases/{roles_world.case.pk}/").json()["content"]
    case_services.case_close(actor=roles_world.world.coordinator, case=roles_world.case)
    client = api_as(third)
    after = client.get(f"/api/v1/cases/{roles_world.case.pk}/")
    assert after.status_code == 200 and after.json()["content"] is None
    assert client.get(f"/api/v1/roles/{family.pk}/").json()["tasks"] == "家族面談を月1回"
    assert client.get(f"/api/v1/roles/{lead.pk}/").status_code == 403  # not theirs
    mine = client.get(f"/api/v1/reviews/{roles_world.review.pk}/roles/").json()["results"]
    assert [r["id"] for r in mine] == [family.pk]


def test_role_holders_read_the_case_in_monitoring_after_the_window(
    api_as, roles_world, time_machine
):
    final_review(roles_world)
    time_machine.move_to("2027-02-01 10:00 +0900", tick=False)
    from tests.conftest import sign_pledges

    sign_pledges(roles_world.world.network, roles_world.third, roles_world.cw.peer)
    assert api_as(roles_world.third).get(f"/api/v1/cases/{roles_world.case.pk}/").json()["content"]
    # The peer was invited but holds no role: the window has closed for them.
    assert (
        api_as(roles_world.cw.peer).get(f"/api/v1/cases/{roles_world.case.pk}/").json()["content"]
        is None
    )


def test_changing_an_agreed_roles_tasks_asks_the_agency_again(api_as, roles_world):
    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    review_services.role_agree(actor=roles_world.third, role=role)
    client = api_as(roles_world.world.coordinator)
    kept = client.patch(f"/api/v1/roles/{role.pk}/", {"due_on": "2027-02-28"}, format="json")
    assert kept.json()["agreement"] == "agreed"
    reset = client.patch(f"/api/v1/roles/{role.pk}/", {"tasks": "週1回の訪問"}, format="json")
    assert (reset.json()["agreement"], reset.json()["agreed_by"]) == ("pending", None)
    # What the agreement granted went with it.
    assert (
        api_as(roles_world.third).get(f"/api/v1/cases/{roles_world.case.pk}/").json()["content"]
        is not None
    )  # still invited, within the window


def test_a_final_review_is_locked(api_as, roles_world):
    lead, _family = final_review(roles_world)
    client = api_as(roles_world.world.coordinator)
    for response in (
        client.post(
            f"/api/v1/reviews/{roles_world.review.pk}/roles/",
            {"agency": roles_world.third.agency_id, "function": "legal", "involvement": "new"},
            format="json",
        ),
        client.patch(f"/api/v1/roles/{lead.pk}/", {"tasks": "変更"}, format="json"),
        client.delete(f"/api/v1/roles/{lead.pk}/"),
        client.patch(f"/api/v1/reviews/{roles_world.review.pk}/", {"notes": "x"}, format="json"),
    ):
        assert (response.status_code, response.json()["code"]) == (409, "review_final")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", 201),  # the lead's agency
        ("colleague", 201),  # its staff too
        ("coordinator", 201),
        ("third", 403),  # holds another role
        ("peer", 403),  # holds none
        ("outsider", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_recording_progress(api_as, roles_world, persona, expected):
    lead, _family = final_review(roles_world)
    response = api_as(roles_world.person(persona)).post(
        f"/api/v1/roles/{lead.pk}/progress/",
        {"note": "訪問した。", "task_status": "in_progress"},
        format="json",
    )
    assert response.status_code == expected


def test_progress_waits_for_the_final_review(api_as, roles_world):
    lead = add_role(roles_world, roles_world.world.member.agency)
    response = api_as(roles_world.world.member).post(
        f"/api/v1/roles/{lead.pk}/progress/",
        {"note": "訪問した。", "task_status": "done"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "review_not_final")
    bad = api_as(roles_world.world.coordinator).post(
        f"/api/v1/roles/{lead.pk}/progress/", {"note": "", "task_status": "finished"}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()) == {"note", "task_status"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 403),
        ("representative", 403),
        ("auditor", 403),
        ("outsider", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_follow_ups_are_for_coordinators(api_as, roles_world, persona, expected):
    url = f"/api/v1/networks/{roles_world.world.network.pk}/follow-ups/"
    assert api_as(roles_world.person(persona)).get(url).status_code == expected


def test_removing_a_role_withdraws_what_it_granted(api_as, roles_world):
    role = add_invited_role(roles_world, roles_world.outsider.agency, function="other")
    assert api_as(roles_world.outsider).get(f"/api/v1/roles/{role.pk}/").status_code == 200
    assert (
        api_as(roles_world.world.coordinator).delete(f"/api/v1/roles/{role.pk}/").status_code == 204
    )
    assert (
        api_as(roles_world.outsider).get(f"/api/v1/cases/{roles_world.case.pk}/").status_code == 404
    )
    actions = list(roles_world.review.changes.values_list("action", flat=True))
    assert actions[-1] == "role_removed"


def test_nobody_writes_what_they_may_not_read(api_as, roles_world):
    from network.models import ConfidentialityPledge

    ConfidentialityPledge.objects.filter(person=roles_world.world.coordinator).delete()
    client = api_as(roles_world.world.coordinator)
    response = client.patch(
        f"/api/v1/reviews/{roles_world.review.pk}/", {"notes": "追記"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_a_review_writer")
    assert "本人は外出" not in response.content.decode()


def test_an_answer_without_a_pledge_returns_no_tasks(api_as, roles_world):
    from network.models import ConfidentialityPledge

    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    ConfidentialityPledge.objects.filter(person=roles_world.third).delete()
    response = api_as(roles_world.third).post(f"/api/v1/roles/{role.pk}/agree/")
    assert response.status_code == 200
    assert response.json()["agreement"] == "agreed" and response.json()["tasks"] is None


def test_a_closed_cases_open_review_no_longer_changes(api_as, roles_world):
    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    case_services.case_close(actor=roles_world.world.coordinator, case=roles_world.case)
    agree = api_as(roles_world.third).post(f"/api/v1/roles/{role.pk}/agree/")
    assert (agree.status_code, agree.json()["code"]) == (409, "case_ended")
    patch = api_as(roles_world.world.coordinator).patch(
        f"/api/v1/reviews/{roles_world.review.pk}/", {"notes": "追記"}, format="json"
    )
    assert (patch.status_code, patch.json()["code"]) == (409, "case_ended")


def test_a_case_is_reviewed_once_per_meeting(api_as, roles_world):
    final_review(roles_world)
    again = api_as(roles_world.world.coordinator).post(
        f"/api/v1/cases/{roles_world.case.pk}/reviews/",
        {"meeting": roles_world.meeting.pk},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "review_exists_for_meeting")


def test_progress_is_the_role_agencys_and_the_coordinators(api_as, roles_world):
    lead, family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.world.member, role=lead, note="訪問した", task_status="in_progress"
    )
    url = f"/api/v1/roles/{lead.pk}/progress/"
    assert api_as(roles_world.world.colleague).get(url).status_code == 200
    assert api_as(roles_world.world.coordinator).get(url).status_code == 200
    other = api_as(roles_world.third).get(url)  # holds another role of the case
    assert (other.status_code, other.json()["code"]) == (403, "content_not_readable")
