"""The life of a case (`conferences.cases.services.CASE_MOVES`): each event starts only from
its states, whoever asks, and `case_transition` refuses any move the table does not have."""

import pytest

from conferences.cases import services
from conferences.models import CaseStatus, CaseTransition
from config.errors import Conflict

pytestmark = pytest.mark.django_db


def test_a_closed_case_is_not_withdrawn(api_as, case_world):
    case = case_world.submitted
    services.case_close(actor=case_world.world.coordinator, case=case)
    response = api_as(case_world.world.member).post(f"/api/v1/cases/{case.pk}/withdraw/")
    assert response.status_code == 409
    assert response.json()["code"] == "case_not_draft_or_submitted_or_scheduled"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_withdrawn_case_is_not_closed(api_as, case_world):
    case = case_world.submitted
    services.case_withdraw(actor=case_world.world.member, case=case)
    response = api_as(case_world.world.coordinator).post(f"/api/v1/cases/{case.pk}/close/")
    assert response.status_code == 409
    assert response.json()["code"] == "case_not_submitted_or_reviewed_or_monitoring"
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (CaseStatus.DRAFT, CaseStatus.MONITORING),
        (CaseStatus.WITHDRAWN, CaseStatus.SUBMITTED),
        (CaseStatus.CLOSED, CaseStatus.REVIEWED),
        (CaseStatus.SUBMITTED, CaseStatus.DRAFT),
    ],
)
def test_case_transition_refuses_a_move_the_table_does_not_have(case_world, start, to):
    case = case_world.submitted
    case.status = start
    before = CaseTransition.objects.filter(case=case).count()
    with pytest.raises(Conflict) as refused:
        services.case_transition(case=case, to=to, actor=case_world.world.coordinator)
    assert refused.value.code == "case_move_not_allowed"
    assert CaseTransition.objects.filter(case=case).count() == before


def test_every_state_a_move_ends_in_is_a_state_of_a_case():
    ends = {state for _starts, tos in services.CASE_MOVES.values() for state in tos}
    starts = {state for froms, _tos in services.CASE_MOVES.values() for state in froms}
    assert ends | starts == set(CaseStatus.values)
    assert set(services.CASE_ENDED) == {CaseStatus.CLOSED, CaseStatus.WITHDRAWN}
