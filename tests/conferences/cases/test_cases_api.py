"""Cases through the API: who sees what (facts, content), who may act, and what is stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conferences.models import NARRATIVE_FIELDS, Case, CaseStatus, CaseTransition
from network.models import ConfidentialityPledge
from permissions.models import AccessRecord
from tests.conftest import CASE_PERSONAS, CLEAN_CASE, make_case

pytestmark = pytest.mark.django_db


def client_for(api_as, case_world, persona):
    return api_as(case_world.person(persona))


def new_case_body(network, **overrides):
    return {"network": network.pk, **CLEAN_CASE, **overrides}


# --- listing ------------------------------------------------------------------------------

LIST_EXPECTED = {
    "coordinator": {"submitted"},
    "member": {"draft", "submitted"},
    "colleague": {"draft", "submitted"},
    "peer": set(),
    "representative": set(),
    "auditor": set(),
    "admin": set(),
    "stranger": set(),
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_case_list_shows_each_persona_only_what_they_need_to_know(api_as, case_world, persona):
    response = client_for(api_as, case_world, persona).get("/api/v1/cases/")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    names = {"draft": case_world.draft.pk, "submitted": case_world.submitted.pk}
    assert ids == {names[n] for n in LIST_EXPECTED[persona]}


def test_case_list_never_carries_narratives(api_as, case_world):
    rows = api_as(case_world.world.member).get("/api/v1/cases/").json()["results"]
    assert rows
    for row in rows:
        assert "content" not in row
        assert not set(NARRATIVE_FIELDS) & set(row)


def test_case_list_writes_no_access_record(api_as, case_world):
    api_as(case_world.world.coordinator).get("/api/v1/cases/")
    assert not AccessRecord.objects.exists()


def test_case_list_filters_by_status_and_consent_basis(api_as, case_world):
    client = api_as(case_world.world.member)
    submitted = client.get("/api/v1/cases/?status=submitted").json()["results"]
    assert [row["id"] for row in submitted] == [case_world.submitted.pk]
    assert client.get("/api/v1/cases/?consent_basis=person").json()["count"] == 0
    assert client.get("/api/v1/cases/?consent_basis=family").json()["count"] == 2


@pytest.mark.parametrize("extra", [0, 25])
def test_case_list_query_count_does_not_grow_with_rows(
    api_as, case_world, django_assert_max_num_queries, extra
):
    for _ in range(extra):
        make_case(case_world.world.member, case_world.world.network)
    client = api_as(case_world.world.member)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/cases/?page_size=200")
    assert response.json()["count"] == 2 + extra


# --- reading one case ---------------------------------------------------------------------

DETAIL_EXPECTED = {  # submitted case: status, content readable?
    "coordinator": (200, True),
    "member": (200, True),
    "colleague": (200, True),
    "peer": (404, False),
    "representative": (404, False),
    "auditor": (404, False),
    "admin": (404, False),
    "stranger": (404, False),
    "anonymous": (401, False),
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_case_detail_matrix(api_as, case_world, persona):
    case = case_world.submitted
    response = client_for(api_as, case_world, persona).get(f"/api/v1/cases/{case.pk}/")
    expected_status, reads_content = DETAIL_EXPECTED[persona]
    assert response.status_code == expected_status
    records = AccessRecord.objects.filter(case=case)
    if reads_content:
        assert response.json()["content"]["summary"] == CLEAN_CASE["summary"]
        assert records.count() == 1
        record = records.get()
        assert record.person == case_world.person(persona)
        assert record.fields == list(NARRATIVE_FIELDS)
        assert record.via == "GET /cases/{id}/"
    else:
        assert not records.exists()


def test_draft_is_the_agencys_alone(api_as, case_world):
    url = f"/api/v1/cases/{case_world.draft.pk}/"
    assert api_as(case_world.world.coordinator).get(url).status_code == 404
    assert api_as(case_world.world.colleague).get(url).status_code == 200


def test_without_a_current_pledge_content_is_null_and_nothing_is_recorded(api_as, case_world):
    ConfidentialityPledge.objects.filter(person=case_world.world.colleague).delete()
    response = api_as(case_world.world.colleague).get(f"/api/v1/cases/{case_world.submitted.pk}/")
    assert response.status_code == 200
    assert response.json()["content"] is None
    assert response.json()["code"] == case_world.submitted.code
    assert not AccessRecord.objects.exists()


def test_last_years_pledge_does_not_open_content(api_as, case_world):
    pledge = ConfidentialityPledge.objects.get(person=case_world.world.member)
    pledge.fiscal_year -= 1
    pledge.save()
    response = api_as(case_world.world.member).get(f"/api/v1/cases/{case_world.submitted.pk}/")
    assert response.json()["content"] is None


@pytest.mark.parametrize("pk", ["999999", "abc", "１"])
def test_unknown_case_is_404(api_as, case_world, pk):
    assert api_as(case_world.world.member).get(f"/api/v1/cases/{pk}/").status_code == 404


def test_moving_to_another_agency_takes_the_old_agencys_cases_away(api_as, case_world):
    member = case_world.world.member
    member.agency = case_world.peer.agency
    member.save()
    response = api_as(member).get(f"/api/v1/cases/{case_world.submitted.pk}/")
    assert response.status_code == 404


# --- creating and editing -----------------------------------------------------------------

CREATE_EXPECTED = {
    "coordinator": 403,  # the secretariat agency holds no practitioners' seat in this world
    "member": 201,
    "colleague": 201,
    "peer": 201,
    "representative": 403,
    "auditor": 403,
    "admin": 403,
    "stranger": 400,  # network A is as unknown to them as a network that does not exist
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_create_case_matrix(api_as, case_world, persona):
    before = Case.objects.count()
    response = client_for(api_as, case_world, persona).post(
        "/api/v1/cases/", new_case_body(case_world.world.network), format="json"
    )
    assert response.status_code == CREATE_EXPECTED[persona], response.content
    if response.status_code == 201:
        body = response.json()
        case = Case.objects.get(pk=body["id"])
        assert case.status == CaseStatus.DRAFT
        assert case.code is None
        assert case.submitting_agency == case_world.person(persona).agency
        assert body["content"]["history"] == CLEAN_CASE["history"]
        assert CaseTransition.objects.filter(case=case, to_status="draft").exists()
    else:
        assert Case.objects.count() == before
    if persona == "stranger":
        assert "network" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age_band", "forties"),
        ("gender", "x"),
        ("withdrawal_duration", "forever"),
        ("consent_basis", "verbal"),
        ("household", ""),
        ("title", ""),
    ],
)
def test_create_refuses_unknown_codes_with_field_errors(api_as, case_world, field, value):
    response = api_as(case_world.world.member).post(
        "/api/v1/cases/", new_case_body(case_world.world.network, **{field: value}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_patch_edits_a_draft_and_reseals_the_narrative(api_as, case_world):
    client = api_as(case_world.world.member)
    url = f"/api/v1/cases/{case_world.draft.pk}/"
    response = client.patch(url, {"summary": "母親からの相談が続いている。"}, format="json")
    assert response.status_code == 200
    assert response.json()["content"]["summary"] == "母親からの相談が続いている。"
    assert response.json()["content"]["history"] == CLEAN_CASE["history"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", 200),
        ("colleague", 200),
        ("coordinator", 404),
        ("peer", 404),
        ("stranger", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_patch_draft_matrix(api_as, case_world, persona, expected):
    response = client_for(api_as, case_world, persona).patch(
        f"/api/v1/cases/{case_world.draft.pk}/", {"title": "家族関係の調整"}, format="json"
    )
    assert response.status_code == expected
    case_world.draft.refresh_from_db()
    assert (case_world.draft.title == "家族関係の調整") == (expected == 200)


def test_patch_of_a_submitted_case_is_409(api_as, case_world):
    response = api_as(case_world.world.member).patch(
        f"/api/v1/cases/{case_world.submitted.pk}/", {"title": "変更"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "case_not_draft"


def test_coordinator_cannot_edit_an_agencys_case(api_as, case_world):
    response = api_as(case_world.world.coordinator).patch(
        f"/api/v1/cases/{case_world.submitted.pk}/", {"title": "変更"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_case"


# --- submitting ---------------------------------------------------------------------------


def test_submit_assigns_a_code_per_network_and_fiscal_year(api_as, case_world, time_machine):
    time_machine.move_to("2021-06-01 10:00 +0900")
    network = case_world.world.network
    first = make_case(case_world.world.member, network, submit=True)
    second = make_case(case_world.world.member, network, submit=True)
    assert (first.code, second.code) == ("R3-001", "R3-002")
    time_machine.move_to("2022-04-01 09:00 +0900")
    assert make_case(case_world.world.member, network, submit=True).code == "R4-001"


def test_submit_refuses_personal_data_with_precise_findings(api_as, case_world):
    summary = "本人（山田太郎さん、携帯090-1234-5678）は自宅にこもっている。"
    draft = make_case(case_world.world.member, case_world.world.network, summary=summary)
    response = api_as(case_world.world.member).post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "personal_data"
    categories = {(f["field"], f["category"]) for f in body["findings"]}
    assert ("summary", "phone") in categories
    assert ("summary", "person_name") in categories
    phone = next(f for f in body["findings"] if f["category"] == "phone")
    assert summary[phone["start"] : phone["end"]] == "090-1234-5678"
    assert all("090-1234-5678" not in f["excerpt"] for f in body["findings"])
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT
    assert draft.code is None
    # The excerpts were case content: that response was recorded.
    assert AccessRecord.objects.filter(case=draft, fields=["summary"]).count() == 1


def test_cleaned_case_submits_after_a_refusal(api_as, case_world):
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, summary="連絡先は090-1234-5678。")
    client = api_as(member)
    assert client.post(f"/api/v1/cases/{draft.pk}/submit/").status_code == 422
    client.patch(
        f"/api/v1/cases/{draft.pk}/", {"summary": "連絡は母親を通じて行う。"}, format="json"
    )
    response = client.post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["code"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", 200),
        ("colleague", 200),
        ("peer", 404),
        ("coordinator", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_submit_matrix(api_as, case_world, persona, expected):
    response = client_for(api_as, case_world, persona).post(
        f"/api/v1/cases/{case_world.draft.pk}/submit/"
    )
    assert response.status_code == expected
    case_world.draft.refresh_from_db()
    assert (case_world.draft.status == CaseStatus.SUBMITTED) == (expected == 200)


def test_submitting_twice_is_409(api_as, case_world):
    response = api_as(case_world.world.member).post(
        f"/api/v1/cases/{case_world.submitted.pk}/submit/"
    )
    assert response.status_code == 409


def test_screen_is_a_dry_run(api_as, case_world):
    response = api_as(case_world.world.member).post(
        "/api/v1/cases/screen/",
        {"network": case_world.world.network.pk, "fields": {"summary": "mail: a.b@example.jp"}},
        format="json",
    )
    assert response.status_code == 200
    assert [f["category"] for f in response.json()["findings"]] == ["email"]
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", 200),
        ("coordinator", 200),
        ("peer", 200),
        ("representative", 403),  # not a case writer: the findings must not be an oracle
        ("auditor", 403),
        ("admin", 403),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_screen_matrix(api_as, case_world, persona, expected):
    response = client_for(api_as, case_world, persona).post(
        "/api/v1/cases/screen/",
        {"network": case_world.world.network.pk, "fields": {"summary": "特になし"}},
        format="json",
    )
    assert response.status_code == expected


# --- withdrawing, closing, purging ----------------------------------------------------------


def test_member_withdraws_a_submitted_case_and_it_keeps_its_code(api_as, case_world):
    case = case_world.submitted
    response = api_as(case_world.world.colleague).post(
        f"/api/v1/cases/{case.pk}/withdraw/", {"reason": "本人が転居した"}, format="json"
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.code
    transition = CaseTransition.objects.filter(case=case).last()
    assert (transition.from_status, transition.to_status) == ("submitted", "withdrawn")
    assert transition.reason == "本人が転居した"


def test_coordinator_may_not_withdraw_an_agencys_case(api_as, case_world):
    response = api_as(case_world.world.coordinator).post(
        f"/api/v1/cases/{case_world.submitted.pk}/withdraw/"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 403),
        ("peer", 404),
        ("auditor", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_close_matrix(api_as, case_world, persona, expected):
    response = client_for(api_as, case_world, persona).post(
        f"/api/v1/cases/{case_world.submitted.pk}/close/"
    )
    assert response.status_code == expected
    case_world.submitted.refresh_from_db()
    assert (case_world.submitted.status == CaseStatus.CLOSED) == (expected == 200)


def test_closing_a_draft_is_409(api_as, case_world):
    case = make_case(case_world.world.member, case_world.world.network, submit=True)
    client = api_as(case_world.world.coordinator)
    client.post(f"/api/v1/cases/{case.pk}/close/")
    assert client.post(f"/api/v1/cases/{case.pk}/purge/").status_code == 200
    response = api_as(case_world.world.member).post(f"/api/v1/cases/{case_world.draft.pk}/close/")
    assert response.status_code == 403


def test_purge_needs_a_closed_case(api_as, case_world):
    response = api_as(case_world.world.coordinator).post(
        f"/api/v1/cases/{case_world.submitted.pk}/purge/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "case_not_closed"


def test_purged_case_keeps_its_facts_and_loses_its_content(api_as, case_world):
    client = api_as(case_world.world.coordinator)
    case = case_world.submitted
    client.post(f"/api/v1/cases/{case.pk}/close/")
    assert client.post(f"/api/v1/cases/{case.pk}/purge/").status_code == 200
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["content"] is None
    assert body["content_purged"] is True
    assert body["age_band"] == "30s"
    assert body["code"] == case.code


def test_withdrawing_a_scheduled_case_takes_it_off_the_agenda_and_ends_meeting_access(
    api_as, case_world
):
    from conferences.meetings import services as meeting_services
    from conferences.models import AgendaItem
    from permissions.selectors import case_access

    world, case = case_world.world, case_world.submitted
    meeting = meeting_services.meeting_create(
        actor=world.coordinator,
        network=world.network,
        kind="case_conference",
        title="事例検討会",
        starts_at=timezone.now() + timedelta(days=10),
        ends_at=timezone.now() + timedelta(days=10, hours=2),
    )
    meeting_services.agenda_item_add(
        actor=world.coordinator, meeting=meeting, kind="case_review", case=case
    )
    meeting_services.meeting_convene(actor=world.coordinator, meeting=meeting)
    assert case_access(case_world.peer, case).content

    response = api_as(world.member).post(
        f"/api/v1/cases/{case.pk}/withdraw/", {"reason": "家族が同意を撤回"}, format="json"
    )

    assert response.status_code == 200
    assert not AgendaItem.objects.filter(case=case).exists()
    assert not case_access(case_world.peer, case).facts


def test_agency_names_of_other_networks_do_not_switch_detection_off(api_as, case_world):
    world = case_world.world
    world.stranger.agency.name = "山田花子"
    world.stranger.agency.save()
    response = api_as(world.member).post(
        "/api/v1/cases/screen/",
        {"network": world.network.pk, "fields": {"summary": "山田花子さんが来所した。"}},
        format="json",
    )
    assert "person_name" in [f["category"] for f in response.json()["findings"]]


@pytest.mark.parametrize(
    "query", ["/api/v1/cases/?network={other}", "/api/v1/meetings/?network={other}"]
)
def test_filtering_by_another_networks_id_answers_like_an_unknown_id(api_as, case_world, query):
    client = api_as(case_world.world.member)
    other = client.get(query.format(other=case_world.world.other_network.pk))
    unknown = client.get(query.format(other=999999))
    assert other.status_code == unknown.status_code == 200
    assert other.json()["count"] == unknown.json()["count"] == 0
