"""The home page (今日やること) in a real browser: a member's invitation, the role asked of
their agency, its task overdue and their draft, each in its section; axe-core in Japanese and
in English."""

from datetime import date

import pytest
from playwright.sync_api import expect

from conferences.reviews import services as review_services
from tests.browser.conftest import assert_accessible
from tests.browser.test_shell import log_in
from tests.conferences.role_fixtures import add_role, roles_world  # noqa: F401
from tests.signin.conftest import enrol
from tests.web.test_home import convened_meeting

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_sees_what_waits_for_them_today(browse, roles_world, time_machine):  # noqa: F811
    rw = roles_world
    member, clinic = rw.world.member, rw.world.member.agency
    time_machine.move_to("2026-12-10 16:30 +0900", tick=True)
    meeting = convened_meeting(rw, 20, title="12月の実務者会議")
    agreed = add_role(rw, clinic, function="lead", due_on=date(2026, 12, 9))
    review_services.role_agree(actor=member, role=agreed)
    add_role(rw, clinic, function="outreach")
    secret, _codes = enrol(member)
    time_machine.shift(30)

    page = browse("ja")
    log_in(page, member, secret)
    page.get_by_role("heading", name="今日やること", level=1).wait_for()
    case = f"{rw.case.code} {rw.case.title}"
    invitations = page.get_by_role("region", name="回答を待っている会議の招待")
    expect(invitations.get_by_role("link", name="12月の実務者会議")).to_have_attribute(
        "href", f"/meetings/{meeting.pk}/"
    )
    expect(page.get_by_role("region", name="今後の会議").get_by_role("row")).to_have_count(2)
    roles = page.get_by_role("region", name="所属機関の回答を待っている役割分担")
    expect(roles.get_by_role("link", name=case)).to_be_visible()
    expect(roles.get_by_role("cell", name="訪問")).to_be_visible()
    tasks = page.get_by_role("region", name="期限の近い所属機関の課題")
    expect(tasks.get_by_role("link", name=case)).to_have_attribute("href", f"/roles/{agreed.pk}/")
    expect(tasks.get_by_text("期限超過", exact=True)).to_be_visible()
    drafts = page.get_by_role("region", name="下書き")
    expect(drafts.get_by_role("link", name=rw.cw.draft.title)).to_have_attribute(
        "href", f"/cases/{rw.cw.draft.pk}/"
    )
    assert_accessible(page)

    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="変更").click()
    page.get_by_role("heading", name="Today", level=1).wait_for()
    expect(page.get_by_role("region", name="Your drafts").get_by_role("link")).to_have_count(1)
    tasks = page.get_by_role("region", name="Your agency's tasks due")
    expect(tasks.get_by_text("Overdue", exact=True)).to_be_visible()
    assert_accessible(page)
