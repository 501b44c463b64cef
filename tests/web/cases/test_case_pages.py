"""The case pages: who sees what (the API's matrix, as pages), what the list shows and
leaks, what the case page shows and records, and the new case and edit forms."""

import pytest

from conferences.cases import services as case_services
from conferences.models import NARRATIVE_FIELDS, Case, CaseStatus, CaseTransition
from permissions.models import AccessRecord
from tests.conftest import CASE_PERSONAS, CLEAN_CASE, make_case
from tests.factories import AgencyFactory, UserFactory, seat

pytestmark = pytest.mark.django_db


def client_for(page_as, case_world, persona):
    return page_as(case_world.person(persona))


def assert_login_redirect(response, url):
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- the list ---------------------------------------------------------------------------------

LIST_EXPECTED = {  # which of the clinic's cases each persona sees listed
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
def test_list_shows_each_persona_only_what_they_need_to_know(page_as, case_world, persona):
    response = client_for(page_as, case_world, persona).get("/cases/")
    if persona == "anonymous":
        assert_login_redirect(response, "/cases/")
        return
    assert response.status_code == 200
    html = response.content.decode()
    for name, case in (("draft", case_world.draft), ("submitted", case_world.submitted)):
        assert (f'href="/cases/{case.pk}/"' in html) == (name in LIST_EXPECTED[persona])
    if not LIST_EXPECTED[persona]:
        assert CLEAN_CASE["title"] not in html
        assert "こころのクリニック" not in html.split("<main", 1)[1]


def test_list_never_carries_narratives(page_as, case_world):
    html = page_as(case_world.world.member).get("/cases/").content.decode()
    assert CLEAN_CASE["title"] in html
    for name in NARRATIVE_FIELDS:
        assert CLEAN_CASE[name] not in html


def test_list_writes_no_access_record(page_as, case_world):
    page_as(case_world.world.coordinator).get("/cases/")
    assert not AccessRecord.objects.exists()


def test_list_shows_the_newest_first_where_none_is_my_agencys(page_as, case_world):
    world = case_world.world
    make_case(case_world.peer, world.network, submit=True, title="就労の相談")
    html = page_as(world.coordinator).get("/cases/").content.decode()
    assert html.index("就労の相談") < html.index(CLEAN_CASE["title"])
    assert "就労の相談" not in page_as(world.member).get("/cases/").content.decode()


def test_list_puts_own_agency_first_for_a_coordinator_of_a_submitting_agency(page_as, world):
    """A coordinator whose agency also submits cases sees its own first, newer ones after."""
    from network.models import Tier
    from tests.conftest import sign_pledges

    seat(world.network, world.coordinator.agency, Tier.PRACTITIONERS, people=[world.coordinator])
    sign_pledges(world.network, world.coordinator, world.member)
    own = make_case(world.coordinator, world.network, submit=True, title="事務局の事例")
    newer = make_case(world.member, world.network, submit=True, title="クリニックの事例")
    html = page_as(world.coordinator).get("/cases/").content.decode()
    assert html.index(own.title) < html.index(newer.title)


def test_list_filters_by_status_and_bands(page_as, case_world):
    client = page_as(case_world.world.member)
    html = client.get("/cases/?status=submitted").content.decode()
    assert f'href="/cases/{case_world.submitted.pk}/"' in html
    assert f'href="/cases/{case_world.draft.pk}/"' not in html
    assert '<th scope="row">' not in client.get("/cases/?age_band=20s").content.decode()
    html = client.get("/cases/?withdrawal_duration=10_20y&age_band=30s").content.decode()
    assert f'href="/cases/{case_world.draft.pk}/"' in html


def test_list_filters_by_fiscal_year(page_as, case_world):
    year = case_world.submitted.fiscal_year
    client = page_as(case_world.world.member)
    html = client.get(f"/cases/?fiscal_year={year}").content.decode()
    assert f'href="/cases/{case_world.submitted.pk}/"' in html
    assert f'href="/cases/{case_world.draft.pk}/"' not in html  # drafts have no year


def test_list_has_a_filter_form_with_selects_and_a_button(page_as, case_world):
    html = page_as(case_world.world.member).get("/cases/").content.decode()
    assert '<form method="get" class="filters"' in html
    for name in ("status", "fiscal_year", "age_band", "withdrawal_duration"):
        assert f'<select name="{name}"' in html
    assert "絞り込む" in html


def test_list_refuses_an_unknown_filter_value_with_the_form_again(page_as, case_world):
    response = page_as(case_world.world.member).get("/cases/?status=lost&age_band=30s")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'value="30s" selected' in html  # nothing chosen is lost


def test_list_is_paginated_fifty_to_a_page(page_as, case_world):
    member = case_world.world.member
    for _ in range(50):
        make_case(member, case_world.world.network)
    client = page_as(member)
    first = client.get("/cases/").content.decode()
    assert first.count('<th scope="row">') == 50
    second = client.get("/cases/?page=2").content.decode()
    assert second.count('<th scope="row">') == 2
    assert 'rel="prev"' in second


@pytest.mark.parametrize("persona", ["member", "coordinator"])
@pytest.mark.parametrize("extra", [0, 60])
def test_list_query_count_does_not_grow_with_rows(
    page_as, case_world, django_assert_max_num_queries, extra, persona
):
    """The same number with 2 rows and with a full page of 50 (of 62)."""
    for _ in range(extra):
        make_case(case_world.world.member, case_world.world.network, submit=True)
    client = page_as(case_world.person(persona))
    with django_assert_max_num_queries(13):
        response = client.get("/cases/?status=submitted&age_band=30s")
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == min(1 + extra, 50)


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("member", True),
        ("colleague", True),
        ("peer", True),
        ("coordinator", False),  # the secretariat holds no practitioners' seat here
        ("representative", False),
        ("auditor", False),
        ("admin", False),
        ("stranger", True),  # in their own network
    ],
)
def test_new_case_button_only_for_who_may_start_one(page_as, case_world, persona, shown):
    html = client_for(page_as, case_world, persona).get("/cases/").content.decode()
    assert ('href="/cases/new/"' in html) == shown


# --- a case's page ----------------------------------------------------------------------------

DETAIL_EXPECTED = {  # the submitted case: status, content shown?
    "coordinator": (200, True),
    "member": (200, True),
    "colleague": (200, True),
    "peer": (404, False),
    "representative": (404, False),
    "auditor": (404, False),
    "admin": (404, False),
    "stranger": (404, False),
    "anonymous": (302, False),
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_detail_matrix_and_the_reading_is_recorded(page_as, case_world, persona):
    case = case_world.submitted
    response = client_for(page_as, case_world, persona).get(f"/cases/{case.pk}/")
    expected_status, shows_content = DETAIL_EXPECTED[persona]
    assert response.status_code == expected_status
    html = response.content.decode()
    records = AccessRecord.objects.filter(case=case)
    if shows_content:
        assert case.code in html
        assert CLEAN_CASE["summary"] in html
        assert "この内容の閲覧は記録されます" in html
        record = records.get()
        assert record.person == case_world.person(persona)
        assert record.fields == list(NARRATIVE_FIELDS)
        assert record.via == "web GET /cases/{id}/"
    else:
        assert not records.exists()
        assert CLEAN_CASE["summary"] not in html
        assert CLEAN_CASE["title"] not in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("member", 200), ("colleague", 200), ("coordinator", 404), ("peer", 404)],
)
def test_a_draft_is_the_agencys_alone(page_as, case_world, persona, expected):
    response = client_for(page_as, case_world, persona).get(f"/cases/{case_world.draft.pk}/")
    assert response.status_code == expected


@pytest.mark.parametrize("pk", ["999999", "abc", "１"])
def test_unknown_case_is_the_404_page(page_as, case_world, pk):
    response = page_as(case_world.world.member).get(f"/cases/{pk}/")
    assert response.status_code == 404
    assert "見つかりません" in response.content.decode()


def test_purged_content_says_why_and_nothing_is_recorded(page_as, case_world):
    world = case_world.world
    case = case_services.case_close(actor=world.coordinator, case=case_world.submitted)
    case_services.case_purge(actor=world.coordinator, case=case)
    response = page_as(world.member).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.code in html
    assert "保存期間" in html
    assert "この内容の閲覧は記録されます" not in html
    assert not AccessRecord.objects.exists()


def test_the_rule_says_purged_and_the_api_keeps_its_answer(page_as, api_as, case_world):
    """Why no content is the rule's answer (`case_content_answer`), the page only says it in
    words; the API's `content_refusal` stays null for a purged case (its flag is
    `content_purged`)."""
    from permissions import rules

    world = case_world.world
    case = case_services.case_close(actor=world.coordinator, case=case_world.submitted)
    case = case_services.case_purge(actor=world.coordinator, case=case)
    for person in (world.member, world.coordinator, case_world.peer):
        assert rules.case_content_answer(person, case) == rules.CASE_CONTENT_PURGED
    body = api_as(world.member).get(f"/api/v1/cases/{case.pk}/").json()
    assert (body["content"], body["content_refusal"], body["content_purged"]) == (
        None,
        None,
        True,
    )


def test_facts_without_content_say_why_and_record_nothing(page_as, case_world):
    """A person granted a case's facts only (an agency asked to take a role, before the case
    is followed up) sees them; the page says why the content is not shown, and records no
    reading."""
    from permissions import services as grants

    case = case_world.submitted
    grants.case_user_grant(case=case, user=case_world.peer, content=False, source="test")
    response = page_as(case_world.peer).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.code in html
    assert CLEAN_CASE["summary"] not in html
    assert "内容は表示されません" in html
    assert not AccessRecord.objects.exists()


@pytest.mark.parametrize(
    ("persona", "case_name", "buttons"),
    [
        ("member", "draft", {"edit", "submit", "withdraw"}),
        ("colleague", "draft", {"edit", "submit", "withdraw"}),
        ("member", "submitted", {"withdraw"}),
        ("coordinator", "submitted", set()),
    ],
)
def test_detail_offers_only_what_the_rules_allow(page_as, case_world, persona, case_name, buttons):
    case = getattr(case_world, case_name)
    html = client_for(page_as, case_world, persona).get(f"/cases/{case.pk}/").content.decode()
    assert (f'href="/cases/{case.pk}/edit/"' in html) == ("edit" in buttons)
    assert (f'action="/cases/{case.pk}/submit/"' in html) == ("submit" in buttons)
    assert (f'action="/cases/{case.pk}/withdraw/"' in html) == ("withdraw" in buttons)


# --- a new case -------------------------------------------------------------------------------

NEW_EXPECTED = {
    "coordinator": 403,  # the secretariat agency holds no practitioners' seat in this world
    "member": 200,
    "colleague": 200,
    "peer": 200,
    "representative": 403,
    "auditor": 403,
    "admin": 403,
    "stranger": 200,  # in their own network
    "anonymous": 302,
}


def new_case_form(network, **overrides):
    return {"network": network.pk, **CLEAN_CASE, **overrides}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_new_case_form_matrix(page_as, case_world, persona):
    response = client_for(page_as, case_world, persona).get("/cases/new/")
    assert response.status_code == NEW_EXPECTED[persona]
    if response.status_code == 403:
        assert "権限" in response.content.decode()


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_new_case_saves_a_draft_for_who_may_start_one(page_as, case_world, persona):
    before = Case.objects.count()
    response = client_for(page_as, case_world, persona).post(
        "/cases/new/", new_case_form(case_world.world.network)
    )
    expected = {200: 302, 403: 403, 302: 302}[NEW_EXPECTED[persona]]
    if persona == "stranger":
        expected = 400  # network A is not one of theirs: not a choice on their form
    assert response.status_code == expected
    if expected == 302 and persona != "anonymous":
        case = Case.objects.latest("pk")
        assert response["Location"] == f"/cases/{case.pk}/"
        assert case.status == CaseStatus.DRAFT
        assert case.submitting_agency == case_world.person(persona).agency
        assert case_services.case_narratives_unseal(case)["history"] == CLEAN_CASE["history"]
        assert CaseTransition.objects.filter(case=case, to_status="draft").exists()
        # The answer is a redirect: no content shown, no reading recorded.
        assert not AccessRecord.objects.filter(case=case).exists()
    else:
        assert Case.objects.count() == before


def test_new_case_form_has_selects_textareas_and_screening(page_as, case_world):
    html = page_as(case_world.world.member).get("/cases/new/").content.decode()
    for name in ("age_band", "gender", "household", "withdrawal_duration", "consent_basis"):
        assert f'<select name="{name}"' in html
    for name, label in [
        ("summary", "概要"),
        ("history", "経過"),
        ("current_support", "現在の支援状況"),
        ("difficulties", "支援上の課題"),
        ("questions", "検討したい事項"),
    ]:
        assert f'<textarea name="{name}"' in html
        assert f'<label for="id_{name}">{label}' in html
        assert f'hx-target="#findings-{name}"' in html
        assert f'id="findings-{name}" class="findings" role="status" aria-live="polite"' in html
    assert 'hx-post="/cases/screen/"' in html
    assert 'hx-trigger="input changed delay:800ms"' in html
    # One network to start cases in: no choice to make.
    assert f'<input type="hidden" name="network" value="{case_world.world.network.pk}"' in html


def test_a_person_of_two_networks_picks_the_network(page_as, case_world):
    world = case_world.world
    from network.models import Tier

    seat(world.other_network, world.member.agency, Tier.PRACTITIONERS, people=[world.member])
    client = page_as(world.member)
    html = client.get("/cases/new/").content.decode()
    assert '<select name="network"' in html
    assert world.other_network.name in html
    response = client.post("/cases/new/", new_case_form(world.other_network))
    assert response.status_code == 302
    assert Case.objects.latest("pk").network == world.other_network


def test_new_case_with_bad_input_keeps_everything_typed(page_as, case_world):
    body = new_case_form(case_world.world.network, age_band="forties", title="")
    response = page_as(case_world.world.member).post("/cases/new/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert CLEAN_CASE["summary"] in html
    assert CLEAN_CASE["questions"] in html
    assert Case.objects.count() == 2


def test_new_case_names_involved_agencies_of_the_network_only(page_as, case_world):
    world = case_world.world
    outsider = AgencyFactory(name="無関係の機関")
    client = page_as(world.member)
    html = client.get("/cases/new/").content.decode()
    assert "ハローワーク" in html
    assert "無関係の機関" not in html
    assert "他市NPO" not in html
    body = new_case_form(world.network, involved_agencies=[case_world.peer.agency_id])
    assert client.post("/cases/new/", body).status_code == 302
    case = Case.objects.latest("pk")
    assert list(case.involved_agencies.all()) == [case_world.peer.agency]
    body = new_case_form(world.network, involved_agencies=[outsider.pk])
    assert client.post("/cases/new/", body).status_code == 400


# --- editing a draft --------------------------------------------------------------------------

EDIT_EXPECTED = {
    "member": 200,
    "colleague": 200,
    "coordinator": 404,
    "peer": 404,
    "representative": 404,
    "auditor": 404,
    "admin": 404,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_edit_form_matrix(page_as, case_world, persona):
    url = f"/cases/{case_world.draft.pk}/edit/"
    response = client_for(page_as, case_world, persona).get(url)
    assert response.status_code == EDIT_EXPECTED[persona]
    records = AccessRecord.objects.filter(case=case_world.draft)
    if response.status_code == 200:
        assert CLEAN_CASE["summary"] in response.content.decode()
        assert records.get().via == "web GET /cases/{id}/edit/"
    else:
        assert not records.exists()


@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_edit_saves_for_the_submitting_agency_only(page_as, case_world, persona):
    body = {**CLEAN_CASE, "title": "家族関係の調整", "summary": "母親からの相談が続いている。"}
    response = client_for(page_as, case_world, persona).post(
        f"/cases/{case_world.draft.pk}/edit/", body
    )
    expected = {200: 302, 404: 404, 302: 302}[EDIT_EXPECTED[persona]]
    assert response.status_code == expected
    case_world.draft.refresh_from_db()
    saved = expected == 302 and persona != "anonymous"
    assert (case_world.draft.title == "家族関係の調整") == saved
    summary = case_services.case_narratives_unseal(case_world.draft)["summary"]
    assert (summary == "母親からの相談が続いている。") == saved
    # A redirect shows no content: nothing is recorded (nor for those refused).
    assert not AccessRecord.objects.exists()


TOO_BIG_ID = "9" * 30  # past 64 bits: SQLite's OverflowError, were it queried


def test_new_case_refuses_an_agency_id_past_64_bits_on_its_field(page_as, case_world):
    body = new_case_form(case_world.world.network, involved_agencies=[TOO_BIG_ID])
    before = Case.objects.count()
    response = page_as(case_world.world.member).post("/cases/new/", body)
    assert response.status_code == 400
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["involved_agencies"]] == ["invalid_choice"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Case.objects.count() == before


@pytest.mark.parametrize("value", [TOO_BIG_ID, "-1", "１", "abc"])
def test_edit_refuses_an_agency_id_that_is_no_id_on_its_field(page_as, case_world, value):
    body = {**CLEAN_CASE, "title": "家族関係の調整", "involved_agencies": [value]}
    response = page_as(case_world.world.member).post(f"/cases/{case_world.draft.pk}/edit/", body)
    assert response.status_code == 400
    assert "involved_agencies" in response.context["form"].errors
    case_world.draft.refresh_from_db()
    assert case_world.draft.title != "家族関係の調整"
    assert not AccessRecord.objects.exists()


def test_editing_a_submitted_case_is_the_409_page(page_as, case_world):
    url = f"/cases/{case_world.submitted.pk}/edit/"
    client = page_as(case_world.world.member)
    for response in (client.get(url), client.post(url, CLEAN_CASE)):
        assert response.status_code == 409
        assert "下書き" in response.content.decode()


def test_a_coordinator_may_not_edit_an_agencys_case(page_as, case_world):
    url = f"/cases/{case_world.submitted.pk}/edit/"
    response = page_as(case_world.world.coordinator).get(url)
    assert response.status_code == 403
    assert not AccessRecord.objects.exists()


def test_edit_with_bad_input_keeps_everything_typed(page_as, case_world):
    body = {**CLEAN_CASE, "gender": "x", "summary": "書きかけの概要"}
    response = page_as(case_world.world.member).post(f"/cases/{case_world.draft.pk}/edit/", body)
    assert response.status_code == 400
    assert "書きかけの概要" in response.content.decode()
    stored = case_services.case_narratives_unseal(case_world.draft)
    assert stored["summary"] == CLEAN_CASE["summary"]


def test_edit_form_screens_with_the_cases_network(page_as, case_world):
    html = page_as(case_world.world.member).get(f"/cases/{case_world.draft.pk}/edit/")
    html = html.content.decode()
    assert f'<input type="hidden" name="network" value="{case_world.world.network.pk}">' in html
    assert 'hx-params="network,summary"' in html


def test_an_agency_staff_member_without_a_seat_is_refused_a_new_case(page_as, world):
    """Staff of an agency with no practitioners' seat anywhere may not start a case."""
    person = UserFactory(username="nobody", agency=AgencyFactory(name="未加入の機関"))
    response = page_as(person).get("/cases/new/")
    assert response.status_code == 403


def test_pagination_keeps_the_filters(page_as, case_world):
    member = case_world.world.member
    for _ in range(50):
        make_case(member, case_world.world.network)
    html = page_as(member).get("/cases/?status=draft").content.decode()
    assert 'href="?status=draft&amp;page=2"' in html
