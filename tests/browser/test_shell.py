"""The shell in a real browser: logging in with the second factor, the pledge before
anything else, the language, and axe-core on each page."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(time_machine):
    """A clock that runs from a fixed morning; each one-time code is accepted once, so a
    sign-in after enrolling moves it to the next 30-second step (`clock.shift(30)`)."""
    time_machine.move_to("2026-12-01 10:00 +0900", tick=True)
    return time_machine


def log_in(page, user, secret):
    page.goto("/")
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("ワンタイムコード").fill(code_for(secret))
    page.get_by_role("button", name="ログイン").click()


def test_member_logs_in_with_a_code_and_signs_the_pledge_first(browse, world, clock):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    page = browse("ja")
    page.goto("/")
    assert_accessible(page)
    log_in(page, world.member, secret)
    page.get_by_role("heading", name="守秘義務誓約").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name=f"{world.network.name}の誓約に署名する").click()
    page.get_by_role("heading", name="今日やること").wait_for()
    assert_accessible(page)
    assert world.member.pledges.filter(network=world.network).exists()


def test_pages_switch_to_english(browse, world, clock):
    secret, _codes = enrol(world.member)
    clock.shift(30)
    page = browse("ja")
    log_in(page, world.member, secret)
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="変更").click()
    page.get_by_role("heading", name="Confidentiality pledge").wait_for()
    assert_accessible(page)
