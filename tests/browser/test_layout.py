"""Readable at 200 % zoom and on a tablet, and usable with the keyboard alone.

A 1280-pixel screen at 200 % zoom lays a page out in 640 CSS pixels: nothing may need
scrolling sideways there (WCAG 1.4.10 reflow allows wide tables their own scroll box), nor
on a tablet held upright."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in_page
from tests.browser.test_meetings import TITLE
from tests.conftest import make_case
from tests.web.meetings.conftest import mw  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/cases/", "/cases/new/", "/meetings/", "/roles/", "/account/"]


def page_overflows(page) -> bool:
    """Whether the document is wider than the window (a sideways scroll of the page)."""
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("viewport", [(640, 900), (768, 1024)], ids=["zoom-200", "tablet"])
def test_pages_reflow_without_scrolling_sideways(browse, mw, time_machine, viewport):  # noqa: F811
    peer = mw.cw.peer
    make_case(peer, mw.world.network, title="横に長くならない表題の確認")
    page = signed_in_page(browse, time_machine, peer)
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.get_by_role("heading", name="今日やること").wait_for()
    wide = []
    for path in [*PAGES, f"/meetings/{mw.conference.pk}/"]:
        page.goto(path)
        if page_overflows(page):
            wide.append(path)
    assert wide == []


def test_the_keyboard_alone_skips_to_the_content_and_answers_an_invitation(
    browse,
    mw,  # noqa: F811
    time_machine,
):
    peer = mw.cw.peer
    page = signed_in_page(browse, time_machine, peer)
    page.goto(f"/meetings/{mw.conference.pk}/")
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    # The first Tab reaches the skip link, Enter moves the focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="本文へ移動")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # Tab on to the answer button and press it.
    button = page.get_by_role("region", name="あなたの回答").get_by_role("button", name="出席する")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    answer = page.get_by_role("region", name="あなたの回答")
    expect(answer.get_by_text("出席", exact=True)).to_be_visible()
    assert_accessible(page)
