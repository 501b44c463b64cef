"""The case services called directly (not through the API) refuse a person without the
right, with the API's code, and change nothing."""

import pytest

from conferences.cases import services
from conferences.models import Case, CaseStatus, CaseTransition, ScreeningTerm
from conferences.privacy import services as screening
from config.errors import Forbidden
from permissions.models import AccessRecord
from tests.conftest import CLEAN_CASE

pytestmark = pytest.mark.django_db


def snapshot(case):
    """What a refused call must leave as it was."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.title,
        bytes(case.summary) if case.summary is not None else None,
        case.purged_at,
        case.code,
        CaseTransition.objects.filter(case=case).count(),
        AccessRecord.objects.count(),
    )


def refused(code, call):
    with pytest.raises(Forbidden) as error:
        call()
    assert error.value.code == code


@pytest.mark.parametrize("persona", ["coordinator", "representative", "auditor", "admin"])
def test_case_create_and_read_refuses_whoever_does_not_start_cases(case_world, persona):
    person, network = case_world.person(persona), case_world.world.network
    before = Case.objects.count()
    refused(
        "not_a_submitting_agency",
        lambda: services.case_create_and_read(
            author=person, network=network, via="test", **CLEAN_CASE
        ),
    )
    assert Case.objects.count() == before
    assert not AccessRecord.objects.exists()


def test_case_create_and_read_refuses_a_practitioner_of_another_network(case_world):
    before = Case.objects.count()
    refused(
        "not_a_submitting_agency",
        lambda: services.case_create_and_read(
            author=case_world.world.stranger,
            network=case_world.world.network,
            via="test",
            **CLEAN_CASE,
        ),
    )
    assert Case.objects.count() == before


def test_case_create_and_read_lets_a_practitioner_start_a_case(case_world):
    read = services.case_create_and_read(
        author=case_world.peer, network=case_world.world.network, via="test", **CLEAN_CASE
    )
    assert read["case"].submitting_agency_id == case_world.peer.agency_id
    assert read["content"]["summary"] == CLEAN_CASE["summary"]
    assert read["content_refusal"] is None
    assert AccessRecord.objects.filter(case=read["case"], via="test").count() == 1


@pytest.mark.parametrize("persona", ["coordinator", "peer", "admin", "stranger"])
def test_case_update_refuses_all_but_the_submitting_agency(case_world, persona):
    draft = case_world.draft
    before = snapshot(draft)
    person = case_world.person(persona)
    refused(
        "not_your_case",
        lambda: services.case_update(actor=person, case=draft, title="別の題", summary="別"),
    )
    refused(
        "not_your_case",
        lambda: services.case_update_and_read(actor=person, case=draft, via="test", title="別"),
    )
    assert snapshot(draft) == before


@pytest.mark.parametrize("persona", ["coordinator", "peer", "admin"])
def test_case_submit_refuses_all_but_the_submitting_agency(case_world, persona):
    draft = case_world.draft
    before = snapshot(draft)
    refused(
        "not_your_case", lambda: services.case_submit(actor=case_world.person(persona), case=draft)
    )
    assert snapshot(draft) == before
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.DRAFT


@pytest.mark.parametrize("persona", ["coordinator", "peer", "admin"])
def test_case_withdraw_refuses_all_but_the_submitting_agency(case_world, persona):
    case = case_world.submitted
    before = snapshot(case)
    refused(
        "not_your_case",
        lambda: services.case_withdraw(actor=case_world.person(persona), case=case, reason="x"),
    )
    assert snapshot(case) == before
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["member", "colleague", "peer", "auditor", "admin"])
def test_case_close_refuses_all_but_the_coordinator(case_world, persona):
    case = case_world.submitted
    before = snapshot(case)
    refused(
        "coordinator_only",
        lambda: services.case_close(actor=case_world.person(persona), case=case),
    )
    assert snapshot(case) == before


@pytest.mark.parametrize("persona", ["member", "colleague", "auditor", "admin"])
def test_case_purge_refuses_all_but_the_coordinator(case_world, persona):
    case = services.case_close(actor=case_world.world.coordinator, case=case_world.submitted)
    before = snapshot(case)
    refused(
        "coordinator_only",
        lambda: services.case_purge(actor=case_world.person(persona), case=case),
    )
    assert snapshot(case) == before
    assert Case.objects.get(pk=case.pk).purged_at is None


def test_case_purge_without_a_person_is_the_retention_job(case_world):
    case = services.case_close(actor=case_world.world.coordinator, case=case_world.submitted)
    assert services.case_purge(actor=None, case=case).purged_at is not None


@pytest.mark.parametrize("persona", ["peer", "representative", "auditor", "admin", "stranger"])
def test_case_content_read_refuses_whoever_may_not_read_it(case_world, persona):
    case = case_world.submitted
    refused(
        "permission_denied",
        lambda: services.case_content_read(
            reader=case_world.person(persona), case=case, via="test"
        ),
    )
    assert not AccessRecord.objects.filter(via="test").exists()


@pytest.mark.parametrize("persona", ["peer", "representative", "auditor", "admin", "stranger"])
def test_case_detail_read_refuses_whoever_does_not_see_the_case(case_world, persona):
    case = case_world.submitted
    refused(
        "permission_denied",
        lambda: services.case_detail_read(reader=case_world.person(persona), case=case, via="test"),
    )
    assert not AccessRecord.objects.filter(via="test").exists()


def test_case_detail_read_withholds_content_where_a_second_factor_is_wanted(case_world):
    network = case_world.world.network
    network.require_two_factor = True
    network.save(update_fields=["require_two_factor"])
    case = Case.objects.select_related("network").get(pk=case_world.submitted.pk)
    read = services.case_detail_read(reader=case_world.world.member, case=case, via="test")
    assert (read["content"], read["content_refusal"]) == (None, "otp_required")
    assert not AccessRecord.objects.filter(via="test").exists()


@pytest.mark.parametrize("persona", ["representative", "auditor", "admin", "stranger"])
def test_case_screen_refuses_whoever_neither_writes_cases_nor_coordinates(case_world, persona):
    refused(
        "not_a_submitting_agency",
        lambda: screening.case_screen(
            network=case_world.world.network,
            fields={"summary": "本人はミドリ荘に住む。"},
            actor=case_world.person(persona),
        ),
    )


@pytest.mark.parametrize("kind", ["allowed", "forbidden"])
@pytest.mark.parametrize("persona", ["member", "peer", "representative", "auditor", "stranger"])
def test_screening_term_add_refuses_all_but_coordinators_and_admins(case_world, persona, kind):
    refused(
        "permission_denied",
        lambda: screening.screening_term_add(
            network=case_world.world.network,
            kind=kind,
            term="大蔵谷",
            category="place_name",
            reason="施設名の一部",
            actor=case_world.person(persona),
        ),
    )
    assert not ScreeningTerm.objects.exists()


def test_screening_term_add_lets_the_platform_admin_manage_terms(case_world):
    entry, created = screening.screening_term_add(
        network=case_world.world.network,
        kind="allowed",
        term="大蔵谷",
        category="place_name",
        reason="施設名の一部",
        actor=case_world.world.admin,
    )
    assert created and entry.created_by == case_world.world.admin
