"""A refusal to an in-place (htmx) action is shown in words where the person looks: the
refusal page replaces the main content, its heading takes the focus, and the page stays
accessible."""

import pytest
from playwright.sync_api import expect

from conferences.meetings import services as meeting_services
from conferences.models import Invitation
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.browser.test_meetings import TITLE
from tests.web.meetings.conftest import mw  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_answer_refused_in_place_is_a_page_in_words(browse, mw, time_machine):  # noqa: F811
    peer = mw.cw.peer
    page = signed_in_page(browse, time_machine, peer)
    page.goto(f"/meetings/{mw.conference.pk}/")
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    # Meanwhile the meeting is called off: it takes no more answers.
    meeting_services.meeting_cancel(actor=mw.world.coordinator, meeting=mw.conference)
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("region", name="あなたの回答").get_by_role("button", name="出席する").click()
    heading = page.get_by_role("heading", name="現在の状態ではできません", level=1)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.locator("main").count() == 1
    assert Invitation.objects.get(meeting=mw.conference, person=peer).response == "pending"
    assert_accessible(page)


def test_signed_out_meanwhile_the_whole_page_goes_to_login_and_back(
    browse,
    mw,  # noqa: F811
    time_machine,
):
    peer = mw.cw.peer
    page = signed_in_page(browse, time_machine, peer)
    page.goto(f"/meetings/{mw.conference.pk}/")
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    time_machine.shift(31 * 60)  # the idle timeout passes
    page.get_by_role("region", name="あなたの回答").get_by_role("button", name="出席する").click()
    page.get_by_role("heading", name="ログイン", level=1).wait_for()
    expect(page.get_by_text("31分間操作がなかったため")).to_have_count(0)
    expect(page.get_by_text("30分間操作がなかったため、ログアウトしました。")).to_be_visible()
    assert page.url.endswith(f"/login/?next=/meetings/{mw.conference.pk}/")
    assert Invitation.objects.get(meeting=mw.conference, person=peer).response == "pending"
    assert_accessible(page)
