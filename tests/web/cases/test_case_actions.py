"""Submitting and withdrawing from the pages, and the screening as one types: who may, what
is stored, what a refusal shows (and that it loses nothing)."""

import pytest
from rest_framework.throttling import ScopedRateThrottle

from conferences.cases import services as case_services
from conferences.cases.views import marked_text
from conferences.models import Case, CaseStatus, CaseTransition
from conferences.privacy.deidentify import Finding
from permissions.models import AccessRecord
from tests.conftest import CASE_PERSONAS, CLEAN_CASE, make_case

pytestmark = pytest.mark.django_db

NAME_AND_PHONE = "本人（山田太郎さん、携帯090-1234-5678）は自宅にこもっている。"


def client_for(page_as, case_world, persona):
    return page_as(case_world.person(persona))


# --- submitting -------------------------------------------------------------------------------

SUBMIT_EXPECTED = {
    "member": 302,
    "colleague": 302,
    "coordinator": 404,  # a draft is the agency's alone
    "peer": 404,
    "representative": 404,
    "auditor": 404,
    "admin": 404,
    "stranger": 404,
    "anonymous": 302,  # to the login page
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_submit_matrix(page_as, case_world, persona):
    draft = case_world.draft
    response = client_for(page_as, case_world, persona).post(f"/cases/{draft.pk}/submit/")
    assert response.status_code == SUBMIT_EXPECTED[persona]
    draft.refresh_from_db()
    submitted = SUBMIT_EXPECTED[persona] == 302 and persona != "anonymous"
    assert (draft.status == CaseStatus.SUBMITTED) == submitted
    if submitted:
        assert response["Location"] == f"/cases/{draft.pk}/"
        assert draft.code
    elif persona == "anonymous":
        assert response["Location"].startswith("/login/")


def test_submit_is_post_only(page_as, case_world):
    response = page_as(case_world.world.member).get(f"/cases/{case_world.draft.pk}/submit/")
    assert response.status_code == 405


def test_a_coordinator_who_sees_a_case_may_not_submit_it(page_as, case_world):
    response = page_as(case_world.world.coordinator).post(
        f"/cases/{case_world.submitted.pk}/submit/"
    )
    assert response.status_code == 403


def test_submitting_twice_is_the_409_page(page_as, case_world):
    response = page_as(case_world.world.member).post(f"/cases/{case_world.submitted.pk}/submit/")
    assert response.status_code == 409
    assert "提出済み" in response.content.decode()


def test_submit_refused_for_personal_data_keeps_the_draft_and_marks_it(page_as, case_world):
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, summary=NAME_AND_PHONE)
    response = page_as(member).post(f"/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    html = response.content.decode()
    # The form again, with the draft as stored: nothing typed is lost.
    assert f'action="/cases/{draft.pk}/edit/"' in html
    assert NAME_AND_PHONE.replace("（", "（") in html.replace("&#x27;", "'")
    for name in ("history", "current_support", "difficulties", "questions"):
        assert CLEAN_CASE[name] in html
    # Marked in place under the field, and listed at the top with links to the field.
    assert '<mark class="finding">山田太郎</mark>' in html
    assert '<mark class="finding">090-1234-5678</mark>' in html
    summary = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert summary.count('href="#id_summary"') == 2
    assert "090-1234-5678" not in summary  # the list shows masked excerpts only
    assert "人名" in summary and "電話番号" in summary
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT
    assert draft.code is None
    assert case_services.case_narratives_unseal(draft)["summary"] == NAME_AND_PHONE
    # One response, one reading recorded: the findings' and the draft shown with them.
    records = AccessRecord.objects.filter(case=draft)
    assert [(r.via, r.person) for r in records] == [
        ("web POST /cases/{id}/submit/ (findings)", member)
    ]
    assert set(records.get().fields) >= {"summary", "history", "questions"}


def test_the_apis_refused_submit_still_records_the_findings_fields_only(api_as, case_world):
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, summary=NAME_AND_PHONE)
    response = api_as(member).post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    record = AccessRecord.objects.get(case=draft)
    assert (record.via, list(record.fields)) == ("POST /cases/{id}/submit/ (findings)", ["summary"])


def test_a_draft_cleaned_after_a_refusal_submits(page_as, case_world):
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, summary=NAME_AND_PHONE)
    client = page_as(member)
    assert client.post(f"/cases/{draft.pk}/submit/").status_code == 422
    body = {**CLEAN_CASE, "summary": "本人は自宅にこもっている。"}
    assert client.post(f"/cases/{draft.pk}/edit/", body).status_code == 302
    response = client.post(f"/cases/{draft.pk}/submit/", follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == CaseStatus.SUBMITTED
    assert "提出済み" in response.content.decode()


# --- withdrawing ------------------------------------------------------------------------------

WITHDRAW_EXPECTED = {
    "member": 302,
    "colleague": 302,
    "coordinator": 403,  # sees the submitted case, may not take it back
    "peer": 404,
    "representative": 404,
    "auditor": 404,
    "admin": 404,
    "stranger": 404,
    "anonymous": 302,  # to the login page (not an in-place request)
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_withdraw_matrix(page_as, case_world, persona):
    case = case_world.submitted
    response = client_for(page_as, case_world, persona).post(
        f"/cases/{case.pk}/withdraw/", {"reason": "本人が転居した"}
    )
    assert response.status_code == WITHDRAW_EXPECTED[persona]
    case.refresh_from_db()
    withdrawn = WITHDRAW_EXPECTED[persona] == 302 and persona != "anonymous"
    assert (case.status == CaseStatus.WITHDRAWN) == withdrawn
    if withdrawn:
        transition = CaseTransition.objects.filter(case=case).last()
        assert (transition.from_status, transition.to_status) == ("submitted", "withdrawn")
        assert transition.reason == "本人が転居した"
        assert transition.actor == case_world.person(persona)
        assert case.code  # it keeps its code


def test_withdrawing_a_reviewed_case_is_the_rules_409_page(page_as, case_world):
    case = case_world.submitted
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.REVIEWED)
    response = page_as(case_world.world.member).post(f"/cases/{case.pk}/withdraw/")
    assert response.status_code == 409
    html = response.content.decode()
    assert "検討済み" in html  # the rule's message names the state
    case.refresh_from_db()
    assert case.status == CaseStatus.REVIEWED


def test_a_too_long_reason_is_refused_on_the_page_with_the_reason_kept(page_as, case_world):
    case = case_world.submitted
    reason = "理由" * 1001
    response = page_as(case_world.world.member).post(
        f"/cases/{case.pk}/withdraw/", {"reason": reason}
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


# --- screening as one types -------------------------------------------------------------------

SCREEN_EXPECTED = {
    "member": 200,
    "colleague": 200,
    "coordinator": 200,
    "peer": 200,
    "representative": 403,  # not a case writer: the findings must not be an oracle
    "auditor": 403,
    "admin": 403,
    "stranger": 404,  # network A does not exist for them
    "anonymous": 200,  # with HX-Redirect: the whole page goes to the login page
}


def screen(client, network, text, field="summary", **headers):
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER_NAME": field}
    return client.post(
        "/cases/screen/", {"network": network.pk, field: text}, **{**htmx, **headers}
    )


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_screen_matrix(page_as, case_world, persona):
    client = client_for(page_as, case_world, persona)
    response = screen(client, case_world.world.network, "特になし")
    assert response.status_code == SCREEN_EXPECTED[persona]
    if persona == "anonymous":
        assert response["HX-Redirect"].startswith("/login/?next=")
        assert b"finding" not in response.content


def test_screen_marks_a_name_and_a_phone_number_in_place(page_as, case_world):
    client = page_as(case_world.world.member)
    response = screen(client, case_world.world.network, "山田太郎さん（090-1234-5678）")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert (
        '<mark class="finding">山田太郎</mark>さん（<mark class="finding">090-1234-5678</mark>）'
        in html
    )
    listed = html.split('class="findings__list"', 1)[1]
    assert "人名" in listed and "電話番号" in listed
    assert "山田太郎" not in listed and "090-1234-5678" not in listed  # masked excerpts only
    assert not AccessRecord.objects.exists()  # the writer's own text, nothing stored


def test_screen_says_so_when_nothing_is_found(page_as, case_world):
    response = screen(page_as(case_world.world.member), case_world.world.network, "特になし")
    assert "個人情報は見つかりませんでした" in response.content.decode()


def test_screen_escapes_the_text(page_as, case_world):
    text = '<script>alert("x")</script><b>山田太郎</b>さん'
    html = screen(page_as(case_world.world.member), case_world.world.network, text)
    html = html.content.decode()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert '&lt;b&gt;<mark class="finding">山田太郎</mark>&lt;/b&gt;' in html


def test_marked_text_escapes_inside_and_outside_findings():
    text = "<i>a&b</i>"
    findings = [Finding("summary", 3, 6, "person_name", "〔人名〕")]
    assert marked_text(text, findings) == (
        '&lt;i&gt;<mark class="finding">a&amp;b</mark>&lt;/i&gt;'
    )


def test_marked_text_keeps_a_finding_inside_another_within_it():
    findings = [
        Finding("summary", 0, 4, "person_name", ""),
        Finding("summary", 2, 3, "hidden_character", ""),
    ]
    assert marked_text("山田\u200b太郎", findings) == '<mark class="finding">山田\u200b太</mark>郎'


def test_screen_uses_the_networks_forbidden_terms(page_as, case_world):
    from conferences.models import ScreeningTerm
    from conferences.privacy import services as screening

    world = case_world.world
    screening.screening_term_add(
        network=world.network,
        kind=ScreeningTerm.Kind.FORBIDDEN,
        term="ぽんた",
        category="",
        reason="",
        actor=world.coordinator,
    )
    html = screen(page_as(world.member), world.network, "あだ名はぽんた。").content.decode()
    assert '<mark class="finding">ぽんた</mark>' in html
    assert "禁止語" in html


def test_screen_screens_the_title_too(page_as, case_world):
    html = screen(
        page_as(case_world.world.member), case_world.world.network, "山田太郎の件", field="title"
    ).content.decode()
    assert '<mark class="finding">山田太郎</mark>' in html


@pytest.mark.parametrize(
    "body",
    [
        {"network": "1", "unknown": "x"},  # not a screened field
        {"network": "", "summary": "x"},
        {"network": "1", "summary": "あ" * 20_001},
    ],
)
def test_screen_refuses_bad_input_with_400(page_as, case_world, body):
    name = next(key for key in body if key != "network")
    response = page_as(case_world.world.member).post(
        "/cases/screen/", body, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER_NAME=name
    )
    assert response.status_code == 400


def test_screen_without_javascript_is_a_page(page_as, case_world):
    response = page_as(case_world.world.member).post(
        "/cases/screen/",
        {"network": case_world.world.network.pk, "field": "summary", "summary": "山田太郎さん"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>" in html
    assert '<mark class="finding">山田太郎</mark>' in html


def test_screen_shares_the_apis_throttle(page_as, api_as, case_world, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "screen", "2/minute")
    world = case_world.world
    api = api_as(world.member)
    body = {"network": world.network.pk, "fields": {"summary": "特になし"}}
    assert api.post("/api/v1/cases/screen/", body, format="json").status_code == 200
    client = page_as(world.member)
    assert screen(client, world.network, "特になし").status_code == 200
    response = screen(client, world.network, "特になし")
    assert response.status_code == 429


def assert_a_fragment(response):
    """An in-place answer the fragment's own place takes: not a whole page, not retargeted
    to the main content (which would wipe the form being typed)."""
    html = response.content.decode()
    assert not response.has_header("HX-Retarget")
    assert "<main" not in html and "<html" not in html
    assert "確認できませんでした" in html  # the check did not run, in words


def test_screening_past_the_rate_answers_in_the_fragment(page_as, case_world):
    client, network = page_as(case_world.world.member), case_world.world.network
    for _ in range(60):  # the `screen` rate: 60 a minute
        assert screen(client, network, "特になし").status_code == 200
    response = screen(client, network, "特になし")
    assert response.status_code == 429
    assert_a_fragment(response)


def test_screening_with_a_network_not_seen_answers_in_the_fragment(page_as, case_world):
    client = page_as(case_world.world.member)
    response = client.post(
        "/cases/screen/",
        {"network": "999999", "summary": "特になし"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="summary",
    )
    assert response.status_code == 404
    assert_a_fragment(response)


def test_screening_past_the_rate_without_javascript_is_the_429_page(
    page_as, case_world, monkeypatch
):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "screen", "1/minute")
    client, network = page_as(case_world.world.member), case_world.world.network
    body = {"network": network.pk, "field": "summary", "summary": "特になし"}
    assert client.post("/cases/screen/", body).status_code == 200
    response = client.post("/cases/screen/", body)
    assert response.status_code == 429
    assert '<main id="main"' in response.content.decode()


def test_every_category_of_finding_has_a_label_in_words():
    from django.utils import translation

    from conferences.privacy import deidentify
    from conferences.privacy import services as screening

    categories = (*deidentify.CATEGORIES, deidentify.HIDDEN_CHARACTER)
    assert set(screening.CATEGORY_LABELS) == set(categories)
    with translation.override("ja"):
        assert screening.category_label("person_name") == "人名"
        assert screening.category_label("phone") == "電話番号"
