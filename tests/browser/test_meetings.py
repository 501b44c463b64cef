"""The meeting pages in a real browser: an invited practitioner opens the meeting from the
list, accepts in place (no page load), reads the agenda's case within the meeting's content
window and sees it refused after; the calendar feed's address; axe-core on the list, the
meeting and the feed, in Japanese and in English."""

import re

import pytest
from playwright.sync_api import expect

from conferences.models import Invitation
from permissions.models import AccessRecord
from tests.browser.conftest import assert_accessible
from tests.browser.test_shell import log_in
from tests.conftest import CLEAN_CASE
from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol
from tests.web.meetings.conftest import mw  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "第3回 事例検討会"


def sign_in_again(page, user, secret):
    """The login page the idle timeout sent the person to: sign in, and back they go."""
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("ワンタイムコード").fill(code_for(secret))
    page.get_by_role("button", name="ログイン").click()


def test_invited_practitioner_answers_and_reads_within_the_window(
    browse,
    mw,  # noqa: F811
    time_machine,
):
    peer, case = mw.cw.peer, mw.cw.submitted
    time_machine.move_to("2026-12-01 10:00 +0900", tick=True)
    secret, _codes = enrol(peer)
    time_machine.shift(30)  # each one-time code is taken once
    page = browse("ja")
    log_in(page, peer, secret)
    page.get_by_role("heading", name="今日やること").wait_for()

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="会議").click()
    page.get_by_role("heading", name="会議", exact=True).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    expect(page.get_by_text("2026年12月24日 16:00 まで閲覧できます")).to_be_visible()
    expect(page.get_by_text(CLEAN_CASE["summary"])).to_be_visible()
    assert AccessRecord.objects.filter(person=peer, case=case).count() == 1
    assert_accessible(page)

    # In place: the page is not loaded again (the marker survives), the answer changes.
    page.evaluate("window.stillTheSamePage = true")
    answer = page.get_by_role("region", name="あなたの回答")
    expect(answer.get_by_text("未回答", exact=True)).to_be_visible()
    answer.get_by_role("button", name="出席する").click()
    expect(answer.get_by_text("出席", exact=True)).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    # The pressed button is gone: the focus is on the answer's status, not the page's top.
    expect(answer.get_by_text("あなたの回答:")).to_be_focused()
    assert Invitation.objects.get(meeting=mw.conference, person=peer).response == "accepted"
    assert_accessible(page)

    page.goto("/meetings/feed/")
    page.get_by_role("heading", name="カレンダー配信").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="アドレスを発行する").click()
    address = page.get_by_label("配信アドレス")
    expect(address).to_have_value(re.compile(r"^http://.+/api/v1/calendar/.+\.ics$"))
    assert_accessible(page)

    # Past the window: the session has timed out meanwhile; signed in again, the meeting
    # shows the case's code and says the reading period has ended, and records nothing.
    time_machine.move_to("2026-12-24 16:01 +0900", tick=True)
    page.goto(f"/meetings/{mw.conference.pk}/")
    sign_in_again(page, peer, secret)
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    expect(page.get_by_text("閲覧できる期間は2026年12月24日 16:00に終了しました")).to_be_visible()
    expect(page.get_by_text(case.code)).to_be_visible()
    expect(page.get_by_text(CLEAN_CASE["summary"])).to_have_count(0)
    assert AccessRecord.objects.filter(person=peer, case=case).count() == 1
    assert_accessible(page)

    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="変更").click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    expect(page.get_by_text("The period for reading the content")).to_be_visible()
    assert_accessible(page)
    page.goto("/meetings/")
    page.get_by_role("heading", name="Upcoming meetings").wait_for()
    assert_accessible(page)
    page.goto("/meetings/feed/")
    page.get_by_role("heading", name="Your calendar feed").wait_for()
    assert_accessible(page)
