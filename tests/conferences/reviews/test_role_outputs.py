"""What the role division produces: the history, the exports (CSV and a workbook that
opens in a spreadsheet program), the load table, the follow-up list, the agenda's
follow-up round, reminders; sealed at rest, destroyed with the case, lists without a query
per row."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conferences.cases import services as case_services
from conferences.models import Case, CaseStatus
from conferences.reviews import services as review_services
from network.models import Tier
from permissions.models import AccessRecord
from tests.conferences.role_fixtures import TASKS, add_invited_role, add_role, final_review
from tests.factories import UserFactory, seat

pytestmark = pytest.mark.django_db


def test_the_history_shows_who_changed_what_from_what_to_what(api_as, roles_world):
    role = add_role(roles_world, roles_world.third.agency, function="outreach")
    review_services.role_agree(actor=roles_world.third, role=role)
    review_services.role_update(actor=roles_world.world.coordinator, role=role, tasks="週1回の訪問")
    before = AccessRecord.objects.count()
    response = api_as(roles_world.world.member).get(
        f"/api/v1/reviews/{roles_world.review.pk}/history/"
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["action"] for r in rows] == ["review_created", "role_added", "agreed", "role_changed"]
    changed = rows[-1]
    assert changed["actor"] == roles_world.world.coordinator.pk
    assert changed["changes"]["tasks"] == [TASKS, "週1回の訪問"]
    assert changed["changes"]["agreement"] == ["agreed", "pending"]
    assert rows[2]["actor"] == roles_world.third.pk
    record = AccessRecord.objects.order_by("id").last()
    assert AccessRecord.objects.count() == before + 1 and record.fields == ["history"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("coordinator", 200), ("peer", 200), ("representative", 404), ("stranger", 404)],
)
def test_history_matrix(api_as, roles_world, persona, expected):
    url = f"/api/v1/reviews/{roles_world.review.pk}/history/"
    assert api_as(roles_world.person(persona)).get(url).status_code == expected


def test_the_role_division_csv(api_as, roles_world):
    add_role(roles_world, roles_world.world.member.agency, due_on=date(2027, 1, 31))
    add_role(
        roles_world, roles_world.third.agency, function="family_support", tasks="=HYPERLINK(1)"
    )
    response = api_as(roles_world.world.coordinator).get(
        f"/api/v1/reviews/{roles_world.review.pk}/role-division.csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith(roles_world.case.code)
    assert rows[1][:3] == ["関係機関", "機能", "関与"]
    assert rows[2][:5] == ["こころのクリニック", "主担当", "現在関与", TASKS, "2027-01-31"]
    assert rows[3][3] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert AccessRecord.objects.order_by("id").last().fields == ["role_division"]


def test_the_role_division_workbook_opens_in_a_spreadsheet_program(api_as, roles_world):
    final_review(roles_world)
    response = api_as(roles_world.world.coordinator).get(
        f"/api/v1/reviews/{roles_world.review.pk}/role-division.xlsx"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["役割分担表", "役割分担の詳細"]
    matrix = [list(row) for row in book["役割分担表"].iter_rows(values_only=True)]
    assert matrix[1] == ["関係機関", "主担当", "家族支援"]
    assert matrix[2] == ["こころのクリニック", "◎", None]
    assert matrix[3] == ["保健所", None, "◎"]
    detail = [list(row) for row in book["役割分担の詳細"].iter_rows(values_only=True)]
    assert detail[1][3] == TASKS and detail[1][5] == "合意済み"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("member", 200),
        ("outsider", 403),  # holds a role: sees the case, not the whole table
        ("representative", 404),
        ("stranger", 404),
        ("anonymous", 401),
    ],
)
def test_exports_follow_content_access(api_as, roles_world, persona, expected):
    add_invited_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    for kind in ("csv", "xlsx"):
        url = f"/api/v1/reviews/{roles_world.review.pk}/role-division.{kind}"
        response = api_as(roles_world.person(persona)).get(url)
        assert response.status_code == expected
        assert (TASKS.encode() in response.content) == (expected == 200 and kind == "csv")


def test_the_load_table_counts_roles_without_content(api_as, roles_world):
    lead, family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.third, role=family, note="面談済み", task_status="done"
    )
    url = f"/api/v1/networks/{roles_world.world.network.pk}/role-load/"
    response = api_as(roles_world.world.member).get(url)
    assert response.status_code == 200
    rows = {(r["agency_name"], r["function"]): r for r in response.json()}
    assert rows[("こころのクリニック", "lead")]["open"] == 1
    assert (
        rows[("保健所", "family_support")]["done"],
        rows[("保健所", "family_support")]["open"],
    ) == (1, 0)
    assert TASKS not in response.content.decode() and "面談済み" not in response.content.decode()
    as_csv = api_as(roles_world.world.coordinator).get(
        f"/api/v1/networks/{roles_world.world.network.pk}/role-load.csv"
    )
    assert "主担当" in as_csv.content.decode("utf-8-sig")
    assert api_as(roles_world.world.stranger).get(url).status_code == 404
    # Representatives get the annual report's suppressed figures, not agency-level counts.
    refused = api_as(roles_world.world.representative).get(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "practitioners_only")
    # A closed case's unfinished roles are no longer open.
    case_services.case_close(actor=roles_world.world.coordinator, case=roles_world.case)
    after = api_as(roles_world.world.coordinator).get(url).json()
    assert sum(r["open"] for r in after) == 0 and sum(r["done"] for r in after) == 1


def test_follow_ups_list_overdue_tasks_reviews_due_and_stalled_answers(
    api_as, roles_world, time_machine
):
    lead = add_role(roles_world, roles_world.world.member.agency, due_on=date(2027, 1, 10))
    family = add_role(roles_world, roles_world.third.agency, function="family_support")
    review_services.review_update(
        actor=roles_world.world.coordinator,
        review=roles_world.review,
        next_review_on=date(2027, 3, 1),
    )
    url = f"/api/v1/networks/{roles_world.world.network.pk}/follow-ups/"
    time_machine.move_to("2026-12-20 09:00 +0900", tick=False)
    stalled = api_as(roles_world.world.coordinator).get(url).json()["stalled_agreements"]
    assert {r["id"] for r in stalled} == {lead.pk, family.pk}
    review_services.role_agree(actor=roles_world.world.member, role=lead)
    review_services.role_agree(actor=roles_world.third, role=family)
    review_services.review_finalize(actor=roles_world.world.coordinator, review=roles_world.review)
    found = api_as(roles_world.world.coordinator).get(url, {"on": "2027-03-01"}).json()
    assert [r["id"] for r in found["overdue_tasks"]] == [lead.pk]
    assert found["overdue_tasks"][0]["case_code"] == roles_world.case.code
    assert [r["id"] for r in found["reviews_due"]] == [roles_world.review.pk]
    assert found["stalled_agreements"] == []
    assert TASKS not in str(found)
    bad = api_as(roles_world.world.coordinator).get(url, {"on": "someday"})
    assert bad.status_code == 400 and "on" in bad.json()


def test_the_follow_up_round_goes_on_the_next_meeting(api_as, roles_world):
    lead, family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.third, role=family, note="面談済み", task_status="done"
    )
    client = api_as(roles_world.world.coordinator)
    meeting = client.post(
        "/api/v1/meetings/",
        {
            "network": roles_world.world.network.pk,
            "kind": "practitioners_meeting",
            "title": "実務者会議",
            "starts_at": "2027-01-20T14:00:00+09:00",
            "ends_at": "2027-01-20T16:00:00+09:00",
        },
        format="json",
    ).json()
    url = f"/api/v1/meetings/{meeting['id']}/agenda-items/role-tasks/"
    item = client.post(url)
    assert item.status_code == 201, item.content
    body = item.json()
    assert body["title"] == "役割分担の進捗確認（未完了 1 件）"
    assert body["details"].split("　")[:2] == ["こころのクリニック", "主担当"]
    # Invitees need not see every case: no codes, and never the tasks themselves.
    assert roles_world.case.code not in body["details"] and TASKS not in body["details"]
    assert api_as(roles_world.world.member).post(url).status_code == 404  # a draft meeting
    representatives = (
        api_as(roles_world.world.coordinator)
        .post(
            "/api/v1/meetings/",
            {
                "network": roles_world.world.network.pk,
                "kind": "representatives_meeting",
                "title": "代表者会議",
                "starts_at": "2027-01-21T14:00:00+09:00",
                "ends_at": "2027-01-21T16:00:00+09:00",
            },
            format="json",
        )
        .json()
    )
    refused = client.post(f"/api/v1/meetings/{representatives['id']}/agenda-items/role-tasks/")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_a_practitioners_meeting")


def test_agencies_that_have_not_answered_are_reminded(roles_world, time_machine):
    roles_world.third.email = "third@example.jp"
    roles_world.third.save(update_fields=["email"])
    roles_world.world.coordinator.email = "coordinator@example.jp"
    roles_world.world.coordinator.save(update_fields=["email"])
    # The 保健所's head sits in the representatives' tier: never told about cases.
    head = UserFactory(username="head", agency=roles_world.third.agency, email="head@example.jp")
    seat(roles_world.world.network, roles_world.third.agency, Tier.REPRESENTATIVES, people=[head])
    add_role(roles_world, roles_world.third.agency, function="family_support")
    add_role(roles_world, roles_world.outsider.agency, function="place_to_belong")
    mail.outbox.clear()
    time_machine.move_to("2026-12-16 08:00 +0900", tick=False)  # six days
    call_command("send_reminders", "--agreement-days", "7", stdout=io.StringIO())
    assert mail.outbox == []
    time_machine.move_to("2026-12-17 08:00 +0900", tick=False)  # seven days
    call_command("send_reminders", "--agreement-days", "7", stdout=io.StringIO())
    recipients = sorted(m.to[0] for m in mail.outbox)
    # The 保健所's designated person; the outside agency's answer is the coordinator's to get.
    assert recipients == ["coordinator@example.jp", "third@example.jp"]
    for message in mail.outbox:
        assert roles_world.case.code in message.body
        assert TASKS not in message.body and "本人" not in message.body
    # A closed case asks nobody any more.
    mail.outbox.clear()
    case_services.case_close(actor=roles_world.world.coordinator, case=roles_world.case)
    time_machine.move_to("2026-12-24 08:00 +0900", tick=False)  # fourteen days
    call_command("send_reminders", "--agreement-days", "7", stdout=io.StringIO())
    assert mail.outbox == []


def test_review_content_is_sealed_at_rest(roles_world):
    lead, _family = final_review(roles_world)
    review_services.progress_add(
        actor=roles_world.world.member, role=lead, note="本人と面談できた", task_status="done"
    )
    with connection.cursor() as cursor:
        for table, columns in (
            ("conferences_review", "assessment, support_direction, notes"),
            ("conferences_roleassignment", "tasks"),
            ("conferences_progressnote", "note"),
            ("conferences_reviewchange", "changes"),
        ):
            cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 (fixed names)
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value or b"")
                    for text in ("本人は外出", "保健師の訪問", TASKS, "本人と面談"):
                        assert text.encode() not in raw


def test_purging_the_case_destroys_its_reviews(api_as, roles_world):
    final_review(roles_world)
    coordinator = roles_world.world.coordinator
    case_services.case_close(actor=coordinator, case=roles_world.case)
    case_services.case_purge(actor=coordinator, case=roles_world.case)
    response = api_as(coordinator).get(f"/api/v1/reviews/{roles_world.review.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "content_purged")


def test_the_role_list_costs_the_same_for_one_role_or_five(api_as, roles_world):
    add_role(roles_world, roles_world.world.member.agency)
    url = f"/api/v1/reviews/{roles_world.review.pk}/roles/"
    client = api_as(roles_world.world.coordinator)
    client.get(url)  # warm the permission and content-type caches
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()["results"]) == 1
    for function in ("outreach", "medical", "legal", "other"):
        add_role(roles_world, roles_world.third.agency, function=function)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(url).json()["results"]) == 5
    assert len(five) == len(one)
    assert len(one) <= 25


def test_exports_survive_control_characters_in_names_and_tasks(api_as, roles_world):
    # A case code or agency name with a line break (written before the single-line rule, or
    # around it) must not split the Content-Disposition header, and a control character in
    # a task must not make the workbook unwritable.
    Case.objects.filter(pk=roles_world.case.pk).update(code="R8\r\nSet-Cookie:1")  # 16 characters
    add_role(roles_world, roles_world.world.member.agency, tasks="訪問\x07を継続\x1b[0m")
    client = api_as(roles_world.world.coordinator)
    for kind in ("csv", "xlsx"):
        response = client.get(f"/api/v1/reviews/{roles_world.review.pk}/role-division.{kind}")
        assert response.status_code == 200, kind
        disposition = response["Content-Disposition"]
        assert "\n" not in disposition and "\r" not in disposition
        assert disposition.startswith("attachment; filename=")
        assert "Set-Cookie" not in response.headers
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    detail = [list(row) for row in book["役割分担の詳細"].iter_rows(values_only=True)]
    assert detail[1][3] == "訪問を継続[0m"


def test_a_designation_left_behind_by_older_data_asks_nobody(roles_world, time_machine):
    """A person still listed as designated for an agency they no longer work for (a row
    written before leaving ended designations) is not mailed the case's code: the
    coordinator is asked instead, as for an agency with nobody designated."""
    from agencies.models import User

    roles_world.third.email = "third@example.jp"
    roles_world.third.save(update_fields=["email"])
    roles_world.world.coordinator.email = "coordinator@example.jp"
    roles_world.world.coordinator.save(update_fields=["email"])
    add_role(roles_world, roles_world.third.agency, function="family_support")
    # Moved to another agency behind the leaving event's back.
    User.objects.filter(pk=roles_world.third.pk).update(agency=roles_world.outsider.agency)
    mail.outbox.clear()
    time_machine.move_to("2026-12-17 08:00 +0900", tick=False)  # seven days
    call_command("send_reminders", "--agreement-days", "7", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.jp"]


@pytest.mark.parametrize(
    ("status", "code"), [(CaseStatus.CLOSED, "case_closed"), (CaseStatus.WITHDRAWN, "case_ended")]
)
def test_no_progress_is_recorded_on_an_ended_case(roles_world, status, code):
    from conferences.models import ProgressNote
    from config.errors import Conflict

    lead, _family = final_review(roles_world)
    Case.objects.filter(pk=roles_world.case.pk).update(status=status)
    with pytest.raises(Conflict) as refused:
        review_services.progress_add(
            actor=roles_world.world.member, role=lead, note="面談できた", task_status="done"
        )
    assert refused.value.code == code
    assert not ProgressNote.objects.exists()
