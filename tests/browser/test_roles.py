"""The role pages in a real browser: the member agrees to one role and declines another
(the reason refused empty first), then records progress on the agreed role once the
division of roles is final; each change appears in place. axe-core on the list and the
role's page, in Japanese and in English."""

import re

import pytest

from conferences.models import Agreement, ProgressNote, RoleAssignment
from conferences.reviews import services as review_services
from tests.browser.conftest import assert_accessible
from tests.browser.test_shell import log_in
from tests.conftest import make_case
from tests.signin.conftest import enrol

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(time_machine):
    """A clock that runs from a fixed morning (each one-time code is accepted once)."""
    time_machine.move_to("2026-12-01 10:00 +0900", tick=True)
    return time_machine


def _reviewed(case_world, case, function: str, tasks: str):
    """A coordinator's review of `case` outside a meeting, asking the clinic for a role."""
    world = case_world.world
    review = review_services.review_create(actor=world.coordinator, case=case)
    return review_services.role_add(
        actor=world.coordinator,
        review=review,
        agency=world.member.agency,
        function=function,
        involvement="current",
        tasks=tasks,
        due_on="2027-01-31",
    )


def _mark_page(page) -> None:
    """Mark the document: the mark survives an in-place update, not a page load."""
    page.evaluate("window.notReloaded = true")


def _not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def test_member_agrees_declines_and_records_progress_in_place(browse, clock, case_world):
    world = case_world.world
    lead = _reviewed(case_world, case_world.submitted, "lead", "月1回の家庭訪問を続ける。")
    other = make_case(world.member, world.network, submit=True)
    outreach = _reviewed(case_world, other, "outreach", "本人への手紙を届ける。")
    secret, _codes = enrol(world.member)
    clock.shift(30)

    page = browse("ja")
    log_in(page, world.member, secret)
    page.get_by_role("link", name="役割", exact=True).click()
    page.get_by_role("heading", name="役割", exact=True).wait_for()
    assert_accessible(page)

    # Agree to the lead, in place.
    page.get_by_role("link", name=f"{case_world.submitted.code} 主担当").click()
    page.get_by_text("月1回の家庭訪問を続ける。").wait_for()
    assert_accessible(page)
    url = page.url
    _mark_page(page)
    page.get_by_role("button", name="同意する").click()
    page.get_by_text("この役割に同意しました。").wait_for()
    assert page.url == url and _not_reloaded(page)
    assert page.get_by_role("button", name="同意する").count() == 0
    assert RoleAssignment.objects.get(pk=lead.pk).agreement == Agreement.AGREED

    # Decline the other: refused without a reason, then with one.
    page.get_by_role("link", name="役割の一覧へ戻る").click()
    page.get_by_role("link", name=f"{other.code} 訪問").click()
    _mark_page(page)
    page.get_by_role("button", name="辞退する").click()
    page.get_by_text("辞退の理由を記入してください。").wait_for()
    reason = page.get_by_label("辞退理由")
    assert reason.get_attribute("aria-invalid") == "true"
    reason.fill("訪問できる職員が当面いないため。")
    page.get_by_role("button", name="辞退する").click()
    page.get_by_text("この役割を辞退しました。").wait_for()
    answer = page.get_by_role("region", name="回答")
    assert "訪問できる職員が当面いないため。" in answer.inner_text()
    assert _not_reloaded(page)
    assert RoleAssignment.objects.get(pk=outreach.pk).agreement == Agreement.DECLINED
    assert_accessible(page)

    # The coordinator finalises the lead's division of roles; the member reports progress.
    review_services.review_finalize(actor=world.coordinator, review=lead.review)
    page.goto(url)
    _mark_page(page)
    page.get_by_label("進捗メモ").fill("家庭訪問で本人と短時間会えた。")
    page.get_by_label("取組状況").select_option(label="完了")
    page.get_by_role("button", name="進捗を記録する").click()
    page.get_by_text("進捗を記録しました。").wait_for()
    progress = page.get_by_role("region", name="進捗")
    assert "家庭訪問で本人と短時間会えた。" in progress.inner_text()
    history = page.get_by_role("region", name="経過").inner_text()
    assert re.search(r"合意済み.*進捗の記録", history, re.DOTALL)
    assert page.url == url and _not_reloaded(page)
    note = ProgressNote.objects.get(role=lead)
    assert (note.created_by, note.task_status) == (world.member, "done")
    assert_accessible(page)

    # The same pages in English.
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="変更").click()
    page.get_by_role("heading", name="Progress", exact=True).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Roles", exact=True).click()
    page.get_by_role("heading", name="Roles", exact=True).wait_for()
    assert_accessible(page)
