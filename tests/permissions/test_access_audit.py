"""The access audit: every response carrying case content is recorded, in a hash chain per
network that nobody changes through the ORM and whose tampering is detected and located."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from rest_framework.test import APIClient

from agencies.models import User
from conferences.models import NARRATIVE_FIELDS
from permissions.models import AccessChainHead, AccessRecord
from permissions.selectors import access_chain_verify
from permissions.services import access_record_write, case_user_grant
from tests.conftest import CLEAN_CASE, make_case, sign_pledges

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
GENESIS = "0" * 64
ACCESS_URL = "/api/v1/audit/access/"
VERIFY_URL = "/api/v1/audit/verify/"


@pytest.fixture(autouse=True)
def now(time_machine):
    # Within one fiscal year, so the pledges signed by `case_world` stay current.
    time_machine.move_to(datetime(2024, 6, 10, 12, 0, tzinfo=TOKYO), tick=False)


def as_(user) -> APIClient:
    """A client of its own per person: a shared one would stay logged in as the last."""
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def detail(user, case):
    return as_(user).get(f"/api/v1/cases/{case.pk}/")


@pytest.fixture
def three_reads(case_world):
    """Three audited reads in network A: the coordinator and the member read the submitted
    case, the colleague reads the draft."""
    world = case_world.world
    for user, case in [
        (world.coordinator, case_world.submitted),
        (world.member, case_world.submitted),
        (world.colleague, case_world.draft),
    ]:
        assert detail(user, case).json()["content"] is not None
    return list(AccessRecord.objects.filter(network=world.network).order_by("sequence"))


@pytest.fixture
def network_b_read(case_world):
    """One audited read in network B: the stranger reads a case of their own agency."""
    world = case_world.world
    sign_pledges(world.other_network, world.stranger)
    case = make_case(world.stranger, world.other_network)
    assert detail(world.stranger, case).json()["content"] is not None
    return AccessRecord.objects.get(network=world.other_network)


def other_coordinator() -> User:
    return User.objects.get(username="other_coordinator")


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the chain ----------------------------------------------------------------------------


def test_records_of_a_network_are_numbered_from_one_without_gaps(three_reads):
    assert [record.sequence for record in three_reads] == [1, 2, 3]


def test_each_record_links_to_the_hash_of_the_one_before(three_reads):
    assert three_reads[0].previous_hash == GENESIS
    for before, after in zip(three_reads, three_reads[1:], strict=False):
        assert after.previous_hash == before.hash
    assert len({record.hash for record in three_reads}) == 3


def test_chain_head_holds_the_last_link(three_reads, case_world):
    head = AccessChainHead.objects.get(network=case_world.world.network)
    assert (head.sequence, head.hash) == (3, three_reads[-1].hash)


def test_each_network_has_a_chain_of_its_own(three_reads, network_b_read):
    assert network_b_read.sequence == 1
    assert network_b_read.previous_hash == GENESIS
    assert [r.sequence for r in three_reads] == [1, 2, 3]  # B's record took no number of A's


# --- never changed through the ORM --------------------------------------------------------


def snapshot():
    return list(AccessRecord.objects.order_by("pk").values_list("pk", "via", "hash"))


def test_queryset_update_is_refused(three_reads):
    before = snapshot()
    with pytest.raises(PermissionError):
        AccessRecord.objects.filter(pk=three_reads[0].pk).update(via="edited")
    assert snapshot() == before


def test_queryset_delete_is_refused(three_reads):
    before = snapshot()
    with pytest.raises(PermissionError):
        AccessRecord.objects.filter(pk=three_reads[0].pk).delete()
    with pytest.raises(PermissionError):
        AccessRecord.objects.all().delete()
    assert snapshot() == before


def test_saving_a_record_again_is_refused(three_reads):
    before = snapshot()
    record = three_reads[1]
    record.via = "edited"
    with pytest.raises(PermissionError):
        record.save()
    assert snapshot() == before


def test_deleting_a_record_is_refused(three_reads):
    before = snapshot()
    with pytest.raises(PermissionError):
        three_reads[1].delete()
    assert snapshot() == before


def test_base_manager_update_is_refused_too(three_reads):
    before = snapshot()
    with pytest.raises(PermissionError):
        AccessRecord._base_manager.filter(pk=three_reads[0].pk).update(via="edited")
    assert snapshot() == before


# --- verifying the chain ------------------------------------------------------------------


def test_verify_reports_an_intact_chain_as_ok(three_reads, case_world):
    report = access_chain_verify(case_world.world.network)
    assert (report.ok, report.records, report.first_broken) == (True, 3, None)


def test_verify_of_a_network_without_records_is_ok(case_world):
    report = access_chain_verify(case_world.world.network)
    assert (report.ok, report.records, report.first_broken) == (True, 0, None)


def test_verify_locates_a_record_altered_by_raw_sql(three_reads, case_world):
    raw(
        "UPDATE permissions_accessrecord SET via=%s WHERE id=%s",
        ["GET /elsewhere/", three_reads[1].pk],
    )
    report = access_chain_verify(case_world.world.network)
    assert (report.ok, report.first_broken) == (False, 2)


def test_verify_locates_a_record_whose_reader_was_swapped_by_raw_sql(three_reads, case_world):
    raw(
        "UPDATE permissions_accessrecord SET person_id=%s WHERE id=%s",
        [case_world.world.auditor.pk, three_reads[2].pk],
    )
    report = access_chain_verify(case_world.world.network)
    assert (report.ok, report.first_broken) == (False, 3)


def test_verify_locates_a_record_removed_from_the_middle_by_raw_sql(three_reads, case_world):
    raw("DELETE FROM permissions_accessrecord WHERE id=%s", [three_reads[1].pk])
    report = access_chain_verify(case_world.world.network)
    assert (report.ok, report.first_broken) == (False, 2)


def test_verify_detects_the_last_record_removed_by_raw_sql(three_reads, case_world):
    raw("DELETE FROM permissions_accessrecord WHERE id=%s", [three_reads[-1].pk])
    report = access_chain_verify(case_world.world.network)
    # Every remaining link holds; only the head still names record 3.
    assert (report.ok, report.records, report.first_broken) == (False, 2, 3)


def test_verify_detects_the_last_record_removed_with_the_head_rewound(three_reads, case_world):
    raw("DELETE FROM permissions_accessrecord WHERE id=%s", [three_reads[-1].pk])
    raw(
        "UPDATE permissions_accesschainhead SET sequence=%s, hash=%s WHERE network_id=%s",
        [2, three_reads[1].hash, case_world.world.network.pk],
    )
    report = access_chain_verify(case_world.world.network)
    assert (report.ok, report.first_broken) == (False, 3)


def test_verify_of_one_network_ignores_tampering_in_another(
    three_reads, network_b_read, case_world
):
    raw("UPDATE permissions_accessrecord SET via=%s WHERE id=%s", ["x", network_b_read.pk])
    assert access_chain_verify(case_world.world.network).ok is True
    assert access_chain_verify(case_world.world.other_network).first_broken == 1


# --- GET /audit/access/ -------------------------------------------------------------------

ACCESS_LIST_EXPECTED = {
    "auditor": 200,
    "coordinator": 200,
    "member": 403,
    "colleague": 403,
    "peer": 403,
    "representative": 403,
    "stranger": 403,
    "admin": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", list(ACCESS_LIST_EXPECTED))
def test_access_log_matrix(case_world, three_reads, persona):
    response = as_(case_world.person(persona)).get(ACCESS_URL)
    assert response.status_code == ACCESS_LIST_EXPECTED[persona]
    body = response.json()
    if response.status_code == 200:
        assert {row["id"] for row in body["results"]} == {r.pk for r in three_reads}
        assert body["count"] == 3
    elif response.status_code == 403:
        assert body["code"] == "auditor_or_coordinator_only"
        assert "results" not in body
    assert AccessRecord.objects.count() == 3  # reading the log is not itself content


def test_access_log_rows_name_reader_case_fields_and_route(case_world, three_reads):
    rows = as_(case_world.world.auditor).get(ACCESS_URL).json()["results"]
    newest = rows[0]  # newest first
    assert newest["sequence"] == 3
    assert newest["person"] == case_world.world.colleague.pk
    assert newest["person_name"] == case_world.world.colleague.display_name
    assert newest["case"] == case_world.draft.pk
    assert "case_code" not in newest  # auditors see no case facts, codes included
    assert newest["fields"] == list(NARRATIVE_FIELDS)
    assert newest["via"] == "GET /cases/{id}/"
    assert newest["network"] == case_world.world.network.pk


def test_access_log_never_carries_the_content_it_records(case_world, three_reads):
    body = as_(case_world.world.auditor).get(ACCESS_URL).content.decode()
    for field in NARRATIVE_FIELDS:
        assert CLEAN_CASE[field] not in body


def test_coordinator_of_another_network_sees_only_its_own_records(
    case_world, three_reads, network_b_read
):
    response = as_(other_coordinator()).get(ACCESS_URL)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [network_b_read.pk]


def test_filtering_by_network_of_another_returns_nothing(case_world, three_reads, network_b_read):
    response = as_(case_world.world.auditor).get(
        ACCESS_URL, {"network": case_world.world.other_network.pk}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_access_log_filters_by_person(case_world, three_reads):
    response = as_(case_world.world.auditor).get(ACCESS_URL, {"person": case_world.world.member.pk})
    assert [row["sequence"] for row in response.json()["results"]] == [2]


def test_access_log_filters_by_case(case_world, three_reads):
    response = as_(case_world.world.auditor).get(ACCESS_URL, {"case": case_world.submitted.pk})
    assert sorted(row["sequence"] for row in response.json()["results"]) == [1, 2]


def test_access_log_filters_by_date_in_tokyo_time(case_world, three_reads, time_machine):
    # 00:30 on 11 June in Tokyo is still 10 June in UTC: the filter's day is Tokyo's.
    time_machine.move_to(datetime(2024, 6, 11, 0, 30, tzinfo=TOKYO), tick=False)
    detail(case_world.world.member, case_world.submitted)
    client = as_(case_world.world.auditor)
    on_10th = client.get(ACCESS_URL, {"date": "2024-06-10"}).json()["results"]
    on_11th = client.get(ACCESS_URL, {"date": "2024-06-11"}).json()["results"]
    assert sorted(row["sequence"] for row in on_10th) == [1, 2, 3]
    assert [row["sequence"] for row in on_11th] == [4]
    assert client.get(ACCESS_URL, {"date": "2024-06-12"}).json()["count"] == 0


@pytest.mark.parametrize("extra", [0, 40])
def test_access_log_query_count_does_not_grow_with_records(
    case_world, three_reads, django_assert_max_num_queries, extra
):
    world = case_world.world
    for n in range(extra):
        reader = [world.member, world.colleague, world.coordinator][n % 3]
        access_record_write(person=reader, case=case_world.submitted, fields=["summary"], via="t")
    client = as_(world.auditor)
    with django_assert_max_num_queries(3):
        response = client.get(ACCESS_URL, {"page_size": 200})
    assert response.json()["count"] == 3 + extra


# --- GET /audit/verify/ -------------------------------------------------------------------

# Without `?network=`: whoever audits no network gets 404, the platform admin included
# (issue 9: only auditors verify chains).
VERIFY_EXPECTED = {
    "auditor": (200, None),
    "coordinator": (404, "not_found"),
    "member": (404, "not_found"),
    "peer": (404, "not_found"),
    "representative": (404, "not_found"),
    "stranger": (404, "not_found"),
    "admin": (404, "not_found"),
    "anonymous": (401, "not_authenticated"),
}


@pytest.mark.parametrize("persona", list(VERIFY_EXPECTED))
def test_verify_matrix(case_world, three_reads, persona):
    response = as_(case_world.person(persona)).get(VERIFY_URL)
    expected_status, expected_code = VERIFY_EXPECTED[persona]
    assert response.status_code == expected_status
    if expected_status == 200:
        assert response.json() == {
            "network": case_world.world.network.pk,
            "ok": True,
            "records": 3,
            "first_broken": None,
        }
    else:
        assert response.json()["code"] == expected_code


# Naming network A: whoever sees A in a role of their own but does not audit it gets 403;
# whoever does not see it gets 404, the platform admin too, although the admin opens A in
# the admin site (issue 9: before, the superuser shortcut let the admin verify any chain).
VERIFY_NAMED_EXPECTED = {
    "auditor": (200, None),
    "coordinator": (403, "auditor_only"),
    "member": (403, "auditor_only"),
    "colleague": (403, "auditor_only"),
    "peer": (403, "auditor_only"),
    "representative": (403, "auditor_only"),
    "stranger": (404, "not_found"),
    "admin": (404, "not_found"),
    "anonymous": (401, "not_authenticated"),
}


@pytest.mark.parametrize("persona", list(VERIFY_NAMED_EXPECTED))
def test_verify_of_a_named_network_matrix(case_world, three_reads, persona):
    response = as_(case_world.person(persona)).get(
        VERIFY_URL, {"network": case_world.world.network.pk}
    )
    expected_status, expected_code = VERIFY_NAMED_EXPECTED[persona]
    assert response.status_code == expected_status
    body = response.json()
    if expected_status == 200:
        assert (body["network"], body["ok"], body["records"]) == (
            case_world.world.network.pk,
            True,
            3,
        )
    else:
        assert body["code"] == expected_code
        assert "ok" not in body and "records" not in body


@pytest.mark.parametrize("network", ["abc", "-1", "99999999999999999999999", "0"])
def test_verify_of_a_network_id_that_names_nothing_is_404(case_world, three_reads, network):
    response = as_(case_world.world.auditor).get(VERIFY_URL, {"network": network})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_verify_of_the_auditors_network_by_id(case_world, three_reads):
    response = as_(case_world.world.auditor).get(
        VERIFY_URL, {"network": case_world.world.network.pk}
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_verify_of_a_network_the_auditor_cannot_see_is_404(case_world, network_b_read):
    response = as_(case_world.world.auditor).get(
        VERIFY_URL, {"network": case_world.world.other_network.pk}
    )
    assert response.status_code == 404
    assert "ok" not in response.json()


def test_coordinator_naming_their_network_may_not_verify_it(case_world, three_reads):
    response = as_(case_world.world.coordinator).get(
        VERIFY_URL, {"network": case_world.world.network.pk}
    )
    assert response.status_code == 403
    assert "ok" not in response.json()


def test_verify_reports_raw_sql_tampering_with_its_place(case_world, three_reads):
    raw("UPDATE permissions_accessrecord SET via=%s WHERE id=%s", ["GET /x/", three_reads[0].pk])
    response = as_(case_world.world.auditor).get(VERIFY_URL)
    assert response.status_code == 200
    assert response.json() == {
        "network": case_world.world.network.pk,
        "ok": False,
        "records": 1,
        "first_broken": 1,
    }


def test_auditor_of_two_networks_must_name_one(case_world, three_reads):
    from network.models import StaffRole
    from tests.factories import give_role

    auditor = case_world.world.auditor
    give_role(case_world.world.other_network, auditor, StaffRole.Role.AUDITOR)
    response = as_(auditor).get(VERIFY_URL)
    assert response.status_code == 400
    assert response.json()["code"] == "network_required"


# --- what writes a record -----------------------------------------------------------------


def test_creating_a_case_records_the_content_its_response_carries(case_world):
    member = case_world.world.member
    response = as_(member).post(
        "/api/v1/cases/", {"network": case_world.world.network.pk, **CLEAN_CASE}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["content"]["summary"] == CLEAN_CASE["summary"]
    record = AccessRecord.objects.get()
    assert (record.person, record.case_id) == (member, response.json()["id"])
    assert (record.fields, record.via) == (list(NARRATIVE_FIELDS), "POST /cases/")
    assert record.at == datetime(2024, 6, 10, 12, 0, tzinfo=TOKYO)


def test_editing_a_draft_records_the_content_its_response_carries(case_world):
    colleague = case_world.world.colleague
    response = as_(colleague).patch(
        f"/api/v1/cases/{case_world.draft.pk}/", {"title": "家族関係の調整"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["content"]["difficulties"] == CLEAN_CASE["difficulties"]
    record = AccessRecord.objects.get()
    assert (record.person, record.case) == (colleague, case_world.draft)
    assert (record.fields, record.via) == (list(NARRATIVE_FIELDS), "PATCH /cases/{id}/")


def test_refused_submission_is_recorded_and_chained_though_the_request_fails(
    case_world, three_reads
):
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, history="連絡先は090-1234-5678。")
    response = as_(member).post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    record = AccessRecord.objects.get(case=draft)
    assert (record.sequence, record.previous_hash) == (4, three_reads[-1].hash)
    assert (record.fields, record.via) == (["history"], "POST /cases/{id}/submit/ (findings)")
    assert access_chain_verify(case_world.world.network).ok is True


def test_successful_submission_records_nothing(case_world):
    response = as_(case_world.world.member).post(f"/api/v1/cases/{case_world.draft.pk}/submit/")
    assert response.status_code == 200
    assert "content" not in response.json()
    assert not AccessRecord.objects.exists()


def test_detail_with_facts_only_records_nothing(case_world):
    peer = case_world.peer
    case_user_grant(case=case_world.submitted, user=peer, source="meeting:1", content=False)
    response = detail(peer, case_world.submitted)
    assert response.status_code == 200
    assert response.json()["content"] is None
    assert not AccessRecord.objects.exists()


def test_detail_of_a_purged_case_records_nothing(case_world):
    client = as_(case_world.world.coordinator)
    case = case_world.submitted
    client.post(f"/api/v1/cases/{case.pk}/close/")
    client.post(f"/api/v1/cases/{case.pk}/purge/")
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    assert response.json()["content"] is None
    assert not AccessRecord.objects.exists()


def test_each_read_is_a_record_of_its_own(case_world):
    for _ in range(3):
        detail(case_world.world.member, case_world.submitted)
    records = AccessRecord.objects.filter(case=case_world.submitted)
    assert list(records.values_list("sequence", flat=True)) == [1, 2, 3]


def test_verify_of_a_named_network_by_its_coordinator_is_403_auditor_only(case_world):
    response = as_(case_world.world.coordinator).get(
        f"/api/v1/audit/verify/?network={case_world.world.network.pk}"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "auditor_only"


def test_a_platform_admin_given_a_staff_role_still_reads_no_access_log(case_world, three_reads):
    """Platform admins are not a network's auditors or coordinators, whatever role rows they
    hold: the access log stays theirs to administer, not to read."""
    from network.services import staff_role_add

    admin = case_world.world.admin
    for role in ("coordinator", "auditor"):
        staff_role_add(network=case_world.world.network, user=admin, role=role)
    response = as_(admin).get("/api/v1/audit/access/")
    assert (response.status_code, response.json()["code"]) == (403, "auditor_or_coordinator_only")


def test_an_auditor_sees_only_the_records_of_the_network_audited(
    case_world, three_reads, network_b_read
):
    response = as_(case_world.world.auditor).get("/api/v1/audit/access/")
    assert response.status_code == 200
    networks = {row["network"] for row in response.json()["results"]}
    assert networks == {case_world.world.network.pk}
