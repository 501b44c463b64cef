"""The role pages (役割分担) as each persona gets them: the list of the roles a person
follows, one role, agreeing, declining with a reason, recording progress; what is stored,
the refusals in words, and the list's query count."""

import pytest
from django.utils import translation

from conferences.cases import services as case_services
from conferences.models import Agreement, ProgressNote, ReviewChange, RoleAssignment
from conferences.reviews import services as review_services
from conferences.reviews.views import PAGE_SIZE
from config import clock
from permissions.models import AccessRecord
from tests.conferences.role_fixtures import TASKS, add_invited_role, add_role, final_review

pytestmark = pytest.mark.django_db

ALL = [
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


@pytest.fixture
def roles(roles_world):
    """The review's roles: the lead for the clinic (the member's agency), outreach for the
    保健所 (`third`), a place to belong for the invited outside agency (`outsider`)."""
    lead = add_role(roles_world, roles_world.world.member.agency, due_on="2026-12-01")
    outreach = add_role(roles_world, roles_world.third.agency, function="outreach")
    place = add_invited_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    return {"lead": lead, "outreach": outreach, "place": place}


def _ids(response) -> set[int]:
    return {role.pk for role in response.context["page"].object_list}


# --- the list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("coordinator", {"lead", "outreach", "place"}),  # the network's roles
        ("member", {"lead"}),  # the clinic's
        ("colleague", {"lead"}),  # the clinic's staff too
        ("peer", set()),  # invited to the meeting, holds no role
        ("third", {"outreach"}),
        ("outsider", {"place"}),
        ("representative", set()),
        ("auditor", set()),
        ("admin", set()),
        ("stranger", set()),
    ],
)
def test_the_list_shows_the_roles_a_person_follows(page_as, roles_world, roles, persona, seen):
    response = page_as(roles_world.person(persona)).get("/roles/")
    assert response.status_code == 200
    assert _ids(response) == {roles[name].pk for name in seen}


def test_the_list_sends_anonymous_people_to_log_in(page_as, roles_world):
    response = page_as(None).get("/roles/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_list_leaks_nothing_of_other_agencies_nor_tasks(page_as, roles_world, roles):
    with translation.override("ja"):
        body = page_as(roles_world.world.member).get("/roles/").content.decode()
    assert roles_world.case.code in body and "主担当" in body
    for absent in ("保健所", "若者サポートステーション", "訪問", "居場所", TASKS):
        assert absent not in body
    assert f"/roles/{roles['outreach'].pk}/" not in body


def test_the_list_shows_the_facts_and_marks_overdue_in_words(page_as, roles_world, roles):
    response = page_as(roles_world.world.member).get("/roles/", HTTP_ACCEPT_LANGUAGE="ja")
    body = response.content.decode()
    for fact in ("主担当", "現在関与", "2026年12月1日", "未回答", "期限超過", "未報告"):
        assert fact in body, fact


def test_the_list_filters_by_agreement_and_task_status(page_as, roles_world, roles):
    review_services.role_agree(actor=roles_world.third, role=roles["outreach"])
    client = page_as(roles_world.world.coordinator)
    assert _ids(client.get("/roles/?agreement=agreed")) == {roles["outreach"].pk}
    assert _ids(client.get("/roles/?agreement=pending")) == {
        roles["lead"].pk,
        roles["place"].pk,
    }
    assert _ids(client.get("/roles/?task_status=done")) == set()
    assert len(_ids(client.get("/roles/?task_status=none"))) == 3


def test_a_bad_filter_is_the_form_again_with_400_and_nothing_lost(page_as, roles_world, roles):
    response = page_as(roles_world.world.coordinator).get(
        "/roles/?agreement=maybe&task_status=done", HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 400 and _ids(response) == set()
    form = response.context["form"]
    assert form.errors["agreement"]
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert '<option value="done" selected>' in body  # what was chosen is kept


@pytest.mark.parametrize("persona", ["coordinator", "member"])
@pytest.mark.parametrize("count", [1, 60])
def test_the_list_runs_the_same_queries_for_any_number_of_rows(
    page_as, roles_world, django_assert_max_num_queries, count, persona
):
    for _index in range(count):
        add_role(roles_world, roles_world.world.member.agency, function="other")
    client = page_as(roles_world.person(persona))
    with django_assert_max_num_queries(9):
        response = client.get("/roles/")
    assert len(_ids(response)) == min(count, PAGE_SIZE)
    assert response.context["page"].paginator.count == count


# --- one role --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),
        ("colleague", 200),
        ("peer", 200),  # invited to the meeting, reads the case now: every role, as the API
        ("third", 200),
        ("outsider", 403),  # sees the case through its own role, not this one
        ("representative", 404),
        ("auditor", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 302),
    ],
)
def test_one_role_matrix(page_as, roles_world, roles, persona, expected):
    response = page_as(roles_world.person(persona)).get(f"/roles/{roles['lead'].pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert TASKS in response.content.decode()


def test_an_unknown_role_is_not_found(page_as, roles_world):
    client = page_as(roles_world.world.member)
    assert client.get("/roles/999999/").status_code == 404
    assert client.get("/roles/x/").status_code == 404


def test_reading_a_role_is_recorded(page_as, roles_world, roles):
    page_as(roles_world.world.member).get(f"/roles/{roles['lead'].pk}/")
    record = AccessRecord.objects.filter(person=roles_world.world.member).latest("sequence")
    assert (record.case_id, record.fields, record.via) == (
        roles_world.case.pk,
        ["tasks"],
        "web GET /roles/{id}/",
    )


def test_the_outside_agency_reads_its_own_role(page_as, roles_world, roles):
    response = page_as(roles_world.outsider).get(f"/roles/{roles['place'].pk}/")
    assert response.status_code == 200 and TASKS in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "buttons"),
    [("member", True), ("colleague", False), ("coordinator", False), ("peer", False)],
)
def test_the_answer_buttons_are_for_the_designated_people(
    page_as, roles_world, roles, persona, buttons
):
    response = page_as(roles_world.person(persona)).get(
        f"/roles/{roles['lead'].pk}/", HTTP_ACCEPT_LANGUAGE="ja"
    )
    body = response.content.decode()
    assert ("同意する" in body) == buttons
    assert ("辞退する" in body) == buttons


# --- agreeing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", 302),
        ("colleague", 403),  # the clinic's staff, not designated
        ("peer", 403),
        ("coordinator", 403),  # agrees on the agency's behalf only through the API
        ("outsider", 403),
        ("representative", 404),
        ("auditor", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 302),
    ],
)
def test_agreeing_matrix(page_as, roles_world, roles, persona, expected):
    person = roles_world.person(persona)
    response = page_as(person).post(f"/roles/{roles['lead'].pk}/agree/")
    assert response.status_code == expected
    role = RoleAssignment.objects.get(pk=roles["lead"].pk)
    if persona == "member":
        assert response.url == f"/roles/{role.pk}/"
        assert (role.agreement, role.agreed_by, role.answered_at) == (
            Agreement.AGREED,
            person,
            clock.now(),  # the clock stands still at the meeting's end
        )
    else:
        assert role.agreement == Agreement.PENDING


def test_a_refusal_to_agree_is_a_page_with_the_rules_message(page_as, roles_world, roles):
    response = page_as(roles_world.world.colleague).post(
        f"/roles/{roles['lead'].pk}/agree/", HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 403
    assert "回答できるのは役割を割り当てられた機関の担当者だけです。" in response.content.decode()


def test_agreeing_in_place_swaps_the_answer_and_the_history(page_as, roles_world, roles):
    response = page_as(roles_world.world.member).post(
        f"/roles/{roles['lead'].pk}/agree/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="ja"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "この役割に同意しました。" in body and "合意済み" in body
    assert 'hx-swap-oob="innerHTML"' in body and "<html" not in body


def test_a_final_review_refuses_an_answer_with_its_message(page_as, roles_world):
    lead, _family = final_review(roles_world)
    client = page_as(roles_world.world.member)
    response = client.post(
        f"/roles/{lead.pk}/decline/", {"reason": "人手が足りない"}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 409
    assert "この検討記録は確定済みのため、変更できません。" in response.content.decode()
    in_place = client.post(
        f"/roles/{lead.pk}/decline/",
        {"reason": "人手が足りない"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert in_place.status_code == 409
    assert "この検討記録は確定済みのため、変更できません。" in in_place.content.decode()
    lead.refresh_from_db()
    assert lead.agreement == Agreement.AGREED


# --- declining -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("third", 302),
        ("member", 403),  # designated for the clinic, not the 保健所
        ("peer", 403),
        ("coordinator", 403),
        ("representative", 404),
        ("stranger", 404),
        ("anonymous", 302),
    ],
)
def test_declining_matrix(page_as, roles_world, roles, persona, expected):
    response = page_as(roles_world.person(persona)).post(
        f"/roles/{roles['outreach'].pk}/decline/", {"reason": "訪問できる職員がいないため"}
    )
    assert response.status_code == expected
    role = RoleAssignment.objects.get(pk=roles["outreach"].pk)
    declined = (role.agreement, role.decline_reason, role.agreed_by)
    if expected == 302 and persona == "third":
        assert declined == (Agreement.DECLINED, "訪問できる職員がいないため", roles_world.third)
        assert role.answered_at is not None
        assert ReviewChange.objects.filter(
            role_id=role.pk, action=ReviewChange.Action.DECLINED, actor=roles_world.third
        ).exists()
    else:
        assert declined == (Agreement.PENDING, "", None)


@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_without_a_reason_shows_the_error_on_the_field(
    page_as, roles_world, roles, reason
):
    response = page_as(roles_world.third).post(
        f"/roles/{roles['outreach'].pk}/decline/", {"reason": reason}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 400
    form = response.context["decline_form"]
    assert form.errors["reason"] == ["辞退の理由を記入してください。"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert RoleAssignment.objects.get(pk=roles["outreach"].pk).agreement == Agreement.PENDING


def test_declining_without_a_reason_is_still_refused_to_others_first(page_as, roles_world, roles):
    response = page_as(roles_world.world.member).post(
        f"/roles/{roles['outreach'].pk}/decline/", {"reason": ""}
    )
    assert response.status_code == 403


def test_declining_in_place_keeps_what_was_typed_on_an_error(page_as, roles_world, roles):
    client = page_as(roles_world.third)
    response = client.post(
        f"/roles/{roles['outreach'].pk}/decline/",
        {"reason": ""},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400  # the shell's htmx swaps 4xx answers in place
    body = response.content.decode()
    assert "辞退の理由を記入してください。" in body and "<html" not in body
    done = client.post(
        f"/roles/{roles['outreach'].pk}/decline/",
        {"reason": "担当者が不在"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    body = done.content.decode()
    assert "この役割を辞退しました。" in body and "担当者が不在" in body


# --- progress --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", 302),
        ("colleague", 302),  # the role's agency's staff
        ("coordinator", 302),
        ("third", 403),  # holds another role
        ("peer", 403),
        ("outsider", 404),
        ("representative", 404),
        ("auditor", 404),
        ("admin", 404),
        ("stranger", 404),
        ("anonymous", 302),
    ],
)
def test_recording_progress_matrix(page_as, roles_world, persona, expected):
    lead, _family = final_review(roles_world)
    person = roles_world.person(persona)
    response = page_as(person).post(
        f"/roles/{lead.pk}/progress/", {"note": "訪問した。", "task_status": "in_progress"}
    )
    assert response.status_code == expected
    notes = ProgressNote.objects.filter(role=lead)
    if expected == 302 and person is not None:
        assert response.url == f"/roles/{lead.pk}/"
        assert [(n.created_by, n.task_status) for n in notes] == [(person, "in_progress")]
        lead.refresh_from_db()
        assert lead.task_status == "in_progress"
    else:
        assert not notes.exists()


def test_progress_with_errors_comes_back_on_the_form(page_as, roles_world):
    lead, _family = final_review(roles_world)
    response = page_as(roles_world.world.member).post(
        f"/roles/{lead.pk}/progress/",
        {"note": "", "task_status": "finished"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    form = response.context["progress_form"]
    assert form.errors["note"] == ["取組の内容を記入してください。"]
    assert "task_status" in form.errors
    assert not ProgressNote.objects.exists()


def test_progress_waits_for_the_final_review(page_as, roles_world, roles):
    response = page_as(roles_world.world.member).post(
        f"/roles/{roles['lead'].pk}/progress/",
        {"note": "訪問した。", "task_status": "done"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 409
    assert "進捗は検討記録の確定後に記録します。" in response.content.decode()


def test_progress_in_place_shows_the_note_and_the_history(page_as, roles_world):
    lead, _family = final_review(roles_world)
    response = page_as(roles_world.world.member).post(
        f"/roles/{lead.pk}/progress/",
        {"note": "家庭訪問を実施した。", "task_status": "done"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "家庭訪問を実施した。" in body and "完了" in body
    assert "進捗を記録しました。" in body


@pytest.mark.parametrize(
    ("persona", "reads"),
    [("member", True), ("colleague", True), ("coordinator", True), ("peer", False)],
)
def test_progress_notes_are_the_role_agencys_and_the_coordinators(
    page_as, roles_world, persona, reads
):
    lead, _family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.world.member, role=lead, note="本人と面談できた。", task_status="done"
    )
    response = page_as(roles_world.person(persona)).get(f"/roles/{lead.pk}/")
    assert response.status_code == 200
    assert ("本人と面談できた。" in response.content.decode()) == reads


def test_the_history_lists_the_answers_and_notes_in_time_order(page_as, roles_world):
    lead, _family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.world.member, role=lead, note="訪問した。", task_status="in_progress"
    )
    response = page_as(roles_world.world.colleague).get(f"/roles/{lead.pk}/")
    history = response.context["history"]
    assert [(event.action, event.actor) for event in history] == [
        ("role_added", roles_world.world.coordinator),
        ("agreed", roles_world.world.member),
        ("note", roles_world.world.member),
    ]


def test_only_open_tasks_past_their_due_date_are_overdue(page_as, roles_world):
    lead, family = final_review(roles_world)
    RoleAssignment.objects.filter(pk__in=[lead.pk, family.pk]).update(due_on="2026-12-01")
    review_services.progress_add(
        actor=roles_world.third, role=family, note="家族面談を終えた。", task_status="done"
    )
    rows = page_as(roles_world.world.coordinator).get("/roles/").context["page"].object_list
    assert {role.pk: role.overdue for role in rows} == {lead.pk: True, family.pk: False}


def test_reading_progress_notes_is_recorded(page_as, roles_world):
    lead, _family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.world.member, role=lead, note="訪問した。", task_status="in_progress"
    )
    page_as(roles_world.world.colleague).get(f"/roles/{lead.pk}/")
    records = AccessRecord.objects.filter(person=roles_world.world.colleague)
    assert list(records.values_list("via", "fields").order_by("sequence")) == [
        ("web GET /roles/{id}/", ["tasks"]),
        ("web GET /roles/{id}/progress/", ["progress"]),
    ]


# --- what each response reads ----------------------------------------------------------------


def _records(person) -> list:
    rows = AccessRecord.objects.filter(person=person).order_by("sequence")
    return list(rows.values_list("via", "fields"))


@pytest.mark.parametrize("htmx", [False, True])
def test_answering_reads_nothing_it_does_not_show(page_as, roles_world, roles, htmx):
    """The answer region and the redirect show no tasks nor notes: no access record."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    member, third = roles_world.world.member, roles_world.third
    agreed = page_as(member).post(f"/roles/{roles['lead'].pk}/agree/", **headers)
    declined = page_as(third).post(
        f"/roles/{roles['outreach'].pk}/decline/", {"reason": "人手が足りない"}, **headers
    )
    assert (agreed.status_code, declined.status_code) == ((200, 200) if htmx else (302, 302))
    assert RoleAssignment.objects.get(pk=roles["lead"].pk).agreement == Agreement.AGREED
    assert RoleAssignment.objects.get(pk=roles["outreach"].pk).agreement == Agreement.DECLINED
    assert _records(member) == [] and _records(third) == []


def test_a_refused_answer_in_place_reads_nothing(page_as, roles_world, roles):
    client = page_as(roles_world.world.member)
    response = client.post(
        f"/roles/{roles['lead'].pk}/decline/", {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert _records(roles_world.world.member) == []


def test_progress_without_javascript_reads_nothing(page_as, roles_world):
    lead, _family = final_review(roles_world)
    member = roles_world.world.member
    response = page_as(member).post(
        f"/roles/{lead.pk}/progress/", {"note": "訪問した。", "task_status": "in_progress"}
    )
    assert response.status_code == 302
    assert _records(member) == []


def test_progress_in_place_reads_the_notes_it_shows_once(page_as, roles_world):
    lead, _family = final_review(roles_world)
    member = roles_world.world.member
    response = page_as(member).post(
        f"/roles/{lead.pk}/progress/",
        {"note": "訪問した。", "task_status": "in_progress"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "訪問した。" in response.content.decode()
    assert TASKS not in response.content.decode()
    assert _records(member) == [("web GET /roles/{id}/progress/", ["progress"])]


def test_the_whole_page_again_reads_what_it_shows(page_as, roles_world, roles):
    third = roles_world.third
    response = page_as(third).post(f"/roles/{roles['outreach'].pk}/decline/", {"reason": ""})
    assert response.status_code == 400 and TASKS in response.content.decode()
    # Its tasks; no progress note to show, so none read.
    assert _records(third) == [("web GET /roles/{id}/", ["tasks"])]


# --- the state rules, once -------------------------------------------------------------------


def _close(roles_world):
    case_services.case_close(actor=roles_world.world.coordinator, case=roles_world.case)


def test_a_closed_case_shows_no_answer_buttons(page_as, roles_world, roles):
    _close(roles_world)
    role = RoleAssignment.objects.get(pk=roles["lead"].pk)
    assert not review_services.role_answers_open(role)
    response = page_as(roles_world.world.member).get(
        f"/roles/{role.pk}/", HTTP_ACCEPT_LANGUAGE="ja"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "同意する" not in body and "辞退する" not in body
    assert response.context["answers_closed"] is True
    # The service refuses it too, in place with its status.
    refused = page_as(roles_world.world.member).post(
        f"/roles/{role.pk}/agree/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert refused.status_code == 409 and "<html" not in refused.content.decode()


def test_a_final_review_on_a_closed_case_shows_no_progress_form(page_as, roles_world):
    lead, _family = final_review(roles_world)
    client = page_as(roles_world.world.member)
    assert client.get(f"/roles/{lead.pk}/").context["progress_form_shown"] is True
    _close(roles_world)
    lead = RoleAssignment.objects.get(pk=lead.pk)
    assert not review_services.progress_open(lead)
    response = client.get(f"/roles/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="ja")
    body = response.content.decode()
    assert response.status_code == 200 and "進捗を記録する" not in body
    refused = client.post(
        f"/roles/{lead.pk}/progress/",
        {"note": "訪問した。", "task_status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 409 and not ProgressNote.objects.exists()


def test_a_refusal_in_place_has_its_status(page_as, roles_world, roles):
    response = page_as(roles_world.world.colleague).post(
        f"/roles/{roles['lead'].pk}/agree/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert (
        "回答できるのは役割を割り当てられた機関の担当者だけです。" in body and "<html" not in body
    )


# --- overdue, once ---------------------------------------------------------------------------


def test_a_pending_role_past_its_due_date_is_overdue_until_its_case_ends(
    page_as, roles_world, roles
):
    client = page_as(roles_world.world.coordinator)

    def overdue():
        rows = client.get("/roles/").context["page"].object_list
        return {role.pk: role.overdue for role in rows}

    # `lead` is due on 2026-12-01, asked and unanswered; the others have no due date.
    assert overdue() == {
        roles["lead"].pk: True,
        roles["outreach"].pk: False,
        roles["place"].pk: False,
    }
    review_services.role_decline(actor=roles_world.third, role=roles["outreach"], reason="不在")
    RoleAssignment.objects.filter(pk=roles["outreach"].pk).update(due_on="2026-12-01")
    assert overdue()[roles["outreach"].pk] is False  # declined: not this agency's task
    _close(roles_world)
    assert overdue()[roles["lead"].pk] is False  # the case is no longer followed up


def test_the_role_page_links_to_its_case(page_as, roles_world, roles):
    lead = roles["lead"]
    body = page_as(roles_world.world.member).get(f"/roles/{lead.pk}/").content.decode()
    assert f'href="/cases/{lead.review.case_id}/"' in body
