"""An agency member's whole day in a real browser, in Japanese: log in with the second
factor, sign the year's pledge, write a case whose text holds a name and a phone number
(both marked while typing), remove them and submit; accept an invitation and read the
agenda's case within the meeting's window; agree to one role, decline another with a
reason, record progress; and, the window over, see the case's content refused. axe-core
checks every page on the way.

The member is the 就労 agency's (`peer`): another agency's case on the agenda is readable
to them only through the invitation, so the window's end shows."""

import pytest
from playwright.sync_api import expect

from conferences.models import Agreement, Case, CaseStatus, Invitation, ProgressNote
from conferences.reviews import services as review_services
from network.models import ConfidentialityPledge
from permissions.models import AccessRecord
from tests.browser.conftest import assert_accessible
from tests.browser.test_meetings import TITLE, sign_in_again
from tests.browser.test_shell import log_in
from tests.conftest import CLEAN_CASE, make_case
from tests.signin.conftest import enrol
from tests.web.meetings.conftest import mw  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

NAME_AND_PHONE = "山田太郎さん（090-1234-5678）の母親から相談があった。"
CLEAN = "母親から相談があった。本人は自宅で過ごしている。"


def ask_for_a_role(world, agency, function: str, tasks: str):
    """The coordinator reviews a case of the clinic's outside a meeting and asks `agency`
    for one role."""
    case = make_case(world.member, world.network, submit=True)
    review = review_services.review_create(actor=world.coordinator, case=case)
    return review_services.role_add(
        actor=world.coordinator,
        review=review,
        agency=agency,
        function=function,
        involvement="new",
        tasks=tasks,
        due_on="2027-01-31",
    )


def test_an_agency_member_s_day(browse, mw, time_machine):  # noqa: F811
    world, peer, agenda_case = mw.world, mw.cw.peer, mw.cw.submitted
    lead = ask_for_a_role(world, peer.agency, "lead", "就労準備の面談を月2回行う。")
    employment = ask_for_a_role(world, peer.agency, "employment", "職場体験先を探す。")
    ConfidentialityPledge.objects.filter(person=peer).delete()  # a new fiscal year's first day
    time_machine.move_to("2026-12-01 09:00 +0900", tick=True)
    secret, _codes = enrol(peer)
    time_machine.shift(30)  # each one-time code is taken once

    # Log in; the pledge comes before anything else.
    page = browse("ja")
    log_in(page, peer, secret)
    page.get_by_role("heading", name="守秘義務誓約").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name=f"{world.network.name}の誓約に署名する").click()
    page.get_by_role("heading", name="今日やること").wait_for()
    assert_accessible(page)

    # A new case: the name and the phone number are marked while typing, then removed.
    menu = page.get_by_role("navigation", name="メインメニュー")
    menu.get_by_role("link", name="事例").click()
    page.get_by_role("link", name="新しい事例").click()
    page.get_by_label("表題", exact=True).fill("就労に踏み出せない30代")
    page.get_by_label("年代", exact=True).select_option("30s")
    page.get_by_label("性別", exact=True).select_option("male")
    page.get_by_label("世帯構成", exact=True).select_option("with_parents")
    page.get_by_label("ひきこもり期間", exact=True).select_option("5_10y")
    page.get_by_label("情報共有の根拠", exact=True).select_option("family")
    summary = page.get_by_label("概要", exact=True)
    summary.press_sequentially(NAME_AND_PHONE)
    check = page.get_by_role("status", name="個人情報の確認: 概要")
    check.get_by_text("人名", exact=True).wait_for()
    check.get_by_text("電話番号", exact=True).wait_for()
    assert check.locator("mark").all_inner_texts() == ["山田太郎", "090-1234-5678"]
    assert_accessible(page)
    summary.fill(CLEAN)
    check.get_by_text("個人情報は見つかりませんでした。").wait_for()
    page.get_by_role("button", name="下書きを保存").click()
    page.get_by_role("button", name="提出", exact=True).click()
    page.get_by_text("提出済み", exact=True).wait_for()
    assert_accessible(page)
    written = Case.objects.get(author=peer)
    assert written.status == CaseStatus.SUBMITTED and "山田" not in str(written.pk)

    # The case conference: its agenda's case is readable within the window; accept.
    menu.get_by_role("link", name="会議").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    expect(page.get_by_text(CLEAN_CASE["summary"])).to_be_visible()
    answer = page.get_by_role("region", name="あなたの回答")
    answer.get_by_role("button", name="出席する").click()
    expect(answer.get_by_text("出席", exact=True)).to_be_visible()
    assert_accessible(page)
    invitation = Invitation.objects.get(meeting=mw.conference, person=peer)
    assert invitation.response == Invitation.Response.ACCEPTED
    assert AccessRecord.objects.filter(person=peer, case=agenda_case).exists()

    # Roles: agree to the lead, decline the other with a reason.
    menu.get_by_role("link", name="役割").click()
    page.get_by_role("link", name=f"{lead.review.case.code} 主担当").click()
    page.get_by_role("button", name="同意する").click()
    page.get_by_text("この役割に同意しました。").wait_for()
    assert_accessible(page)
    menu.get_by_role("link", name="役割").click()
    page.get_by_role("link", name=f"{employment.review.case.code} 就労").click()
    page.get_by_label("辞退理由").fill("今年度は受け入れ枠がないため。")
    page.get_by_role("button", name="辞退する").click()
    page.get_by_text("この役割を辞退しました。").wait_for()
    assert_accessible(page)
    lead.refresh_from_db()
    employment.refresh_from_db()
    assert (lead.agreement, employment.agreement) == (Agreement.AGREED, Agreement.DECLINED)
    assert employment.decline_reason == "今年度は受け入れ枠がないため。"

    # The coordinator finalises the lead's review; the member records progress.
    review_services.review_finalize(actor=world.coordinator, review=lead.review)
    page.goto(f"/roles/{lead.pk}/")
    page.get_by_label("進捗メモ").fill("初回の面談を行った。")
    page.get_by_label("取組状況").select_option(label="対応中")
    page.get_by_role("button", name="進捗を記録する").click()
    page.get_by_text("進捗を記録しました。").wait_for()
    assert_accessible(page)
    assert ProgressNote.objects.get(role=lead).created_by == peer

    # After the window (the session has timed out meanwhile): the content is refused.
    time_machine.move_to("2026-12-24 16:01 +0900", tick=True)
    page.goto(f"/meetings/{mw.conference.pk}/")
    sign_in_again(page, peer, secret)
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    expect(page.get_by_text("閲覧できる期間は2026年12月24日 16:00に終了しました")).to_be_visible()
    expect(page.get_by_text(CLEAN_CASE["summary"])).to_have_count(0)
    assert_accessible(page)
