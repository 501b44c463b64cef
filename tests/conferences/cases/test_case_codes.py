"""Case codes: `R{era year}-{sequence:03d}`, counted per network and fiscal year, never
reused, and handed out without gap or twin when two agencies submit at the same moment."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from conferences.cases import services
from conferences.models import Case, CaseStatus, CaseTransition
from tests.conftest import make_case, sign_pledges

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
MID_FY2024 = datetime(2024, 6, 10, 12, 0, tzinfo=TOKYO)  # 令和6年度


@pytest.fixture(autouse=True)
def now(time_machine):
    # Before any fixture writes a case, so fixture and test count in the same fiscal year.
    time_machine.move_to(MID_FY2024, tick=False)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def as_(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def codes_of(network) -> list[str]:
    return list(
        Case.objects.filter(network=network, code__isnull=False)
        .order_by("fiscal_year", "sequence")
        .values_list("code", flat=True)
    )


def test_code_carries_era_year_and_three_digit_sequence(world):
    case = make_case(world.member, world.network, submit=True)
    case.refresh_from_db()
    assert (case.code, case.fiscal_year, case.sequence) == ("R6-001", 2024, 1)


def test_each_network_counts_on_its_own(world):
    a1 = make_case(world.member, world.network, submit=True)
    a2 = make_case(world.member, world.network, submit=True)
    b1 = make_case(world.stranger, world.other_network, submit=True)
    a3 = make_case(world.member, world.network, submit=True)
    assert [a1.code, a2.code, a3.code] == ["R6-001", "R6-002", "R6-003"]
    assert b1.code == "R6-001"
    assert codes_of(world.other_network) == ["R6-001"]


def test_the_fiscal_year_turns_at_midnight_on_1_april_tokyo_time(world, time_machine):
    time_machine.move_to(at(2025, 3, 31, 23, 59), tick=False)
    last = make_case(world.member, world.network, submit=True)
    # 00:00 on 1 April in Tokyo is still 31 March in UTC: the fiscal year is Tokyo's.
    time_machine.move_to(at(2025, 4, 1, 0, 0), tick=False)
    first = make_case(world.member, world.network, submit=True)
    assert (last.code, last.fiscal_year) == ("R6-001", 2024)
    assert (first.code, first.fiscal_year, first.sequence) == ("R7-001", 2025, 1)


def test_each_year_counts_from_one_and_earlier_years_keep_theirs(world, time_machine):
    make_case(world.member, world.network, submit=True)
    make_case(world.member, world.network, submit=True)
    time_machine.move_to(at(2025, 5, 1, 10, 0), tick=False)
    make_case(world.member, world.network, submit=True)
    assert codes_of(world.network) == ["R6-001", "R6-002", "R7-001"]


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        # FY2019 began in April 2019, still Heisei, yet is 令和元年度: its era is the one
        # that began in its first calendar year.
        (at(2019, 4, 1, 9, 0), "R1-001"),
        (at(2020, 3, 31, 18, 0), "R1-001"),
        (at(2019, 3, 31, 18, 0), "H30-001"),
    ],
)
def test_the_era_is_that_of_the_fiscal_years_first_calendar_year(world, time_machine, moment, code):
    time_machine.move_to(moment, tick=False)
    assert make_case(world.member, world.network, submit=True).code == code


def test_withdrawn_case_keeps_its_code_and_its_number_is_not_reused(world):
    first = make_case(world.member, world.network, submit=True)
    response = as_(world.member).post(
        f"/api/v1/cases/{first.pk}/withdraw/", {"reason": "本人が転居した"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["code"]) == ("withdrawn", "R6-001")
    second = make_case(world.member, world.network, submit=True)
    assert second.code == "R6-002"
    first.refresh_from_db()
    assert (first.status, first.code, first.sequence) == (CaseStatus.WITHDRAWN, "R6-001", 1)
    assert CaseTransition.objects.filter(case=first, to_status="withdrawn").count() == 1


def test_withdrawn_draft_takes_no_number(world):
    draft = make_case(world.member, world.network)
    assert as_(world.member).post(f"/api/v1/cases/{draft.pk}/withdraw/").status_code == 200
    draft.refresh_from_db()
    assert (draft.status, draft.code, draft.sequence) == (CaseStatus.WITHDRAWN, None, None)
    assert make_case(world.member, world.network, submit=True).code == "R6-001"


def test_refused_submission_takes_no_number(world):
    draft = make_case(world.member, world.network, summary="連絡先は090-1234-5678。")
    assert as_(world.member).post(f"/api/v1/cases/{draft.pk}/submit/").status_code == 422
    draft.refresh_from_db()
    assert (draft.code, draft.sequence, draft.fiscal_year) == (None, None, None)
    assert make_case(world.member, world.network, submit=True).code == "R6-001"


def test_closed_and_purged_cases_keep_their_numbers(world):
    sign_pledges(world.network, world.coordinator)
    first = make_case(world.member, world.network, submit=True)
    coordinator = as_(world.coordinator)
    assert coordinator.post(f"/api/v1/cases/{first.pk}/close/").status_code == 200
    assert coordinator.post(f"/api/v1/cases/{first.pk}/purge/").status_code == 200
    assert make_case(world.member, world.network, submit=True).code == "R6-002"
    assert codes_of(world.network) == ["R6-001", "R6-002"]


def test_the_database_refuses_a_second_case_with_the_same_code(world):
    make_case(world.member, world.network, submit=True)
    second = make_case(world.member, world.network, submit=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(code="R6-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(sequence=1)
    assert codes_of(world.network) == ["R6-001", "R6-002"]


# --- two agencies at the same moment (PostgreSQL: SQLite has no row locks) ----------------


def submit_at_once(pairs: list[tuple]) -> tuple[list[str], list[BaseException]]:
    """Submit each (actor, draft) from a thread of its own, all released together."""
    barrier = threading.Barrier(len(pairs))
    codes: list[str] = []
    errors: list[BaseException] = []

    def submit(actor, draft):
        try:
            barrier.wait(timeout=10)
            codes.append(services.case_submit(actor=actor, case=draft).code)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()  # each thread opened a connection of its own

    threads = [threading.Thread(target=submit, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return codes, errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_agencies_submitting_at_once_get_consecutive_codes(case_world):
    # The fixture's submitted case is R6-001.
    member, peer, network = case_world.world.member, case_world.peer, case_world.world.network
    submitted = [case_world.submitted.code]
    for _round in range(3):
        drafts = [(member, make_case(member, network)), (peer, make_case(peer, network))]
        codes, errors = submit_at_once(drafts)
        assert errors == []
        assert len(set(codes)) == 2
        submitted += sorted(codes)
    assert submitted == [f"R6-{n:03d}" for n in range(1, 8)]
    sequences = list(
        Case.objects.filter(network=network, fiscal_year=2024)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 8))
    agencies = set(
        Case.objects.filter(network=network, status=CaseStatus.SUBMITTED).values_list(
            "submitting_agency", flat=True
        )
    )
    assert agencies == {member.agency_id, peer.agency_id}
