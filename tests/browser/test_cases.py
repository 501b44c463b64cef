"""The case pages in a real browser: writing a case whose text holds a name and a phone
number, seeing both marked while typing, removing them, saving and submitting; axe-core on
the list, the form with findings shown, the case page and a refused submission, in Japanese
and in English."""

import pytest
from playwright.sync_api import expect

from conferences.models import Case, CaseStatus
from tests.browser.conftest import assert_accessible
from tests.conftest import make_case, sign_pledges
from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol

pytestmark = pytest.mark.django_db(transaction=True)

NAME_AND_PHONE = "山田太郎さん（090-1234-5678）の母親から相談があった。"
CLEAN = "母親から相談があった。本人は自宅で過ごしている。"

LABELS = {
    "ja": {
        "username": "ユーザー名",
        "password": "パスワード",
        "otp": "ワンタイムコード",
        "log_in": "ログイン",
        "cases": "事例",
        "new": "新しい事例",
        "title": "表題",
        "age_band": "年代",
        "gender": "性別",
        "household": "世帯構成",
        "withdrawal_duration": "ひきこもり期間",
        "consent_basis": "情報共有の根拠",
        "summary": "概要",
        "check": "個人情報の確認: 概要",
        "person_name": "人名",
        "phone": "電話番号",
        "clean": "個人情報は見つかりませんでした。",
        "save": "下書きを保存",
        "submit": "提出",
        "submitted": "提出済み",
        "refused": "個人情報が含まれているため、提出されませんでした",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "otp": "One-time code",
        "log_in": "Log in",
        "cases": "Cases",
        "new": "New case",
        "title": "Title",
        "age_band": "Age band",
        "gender": "Gender",
        "household": "Household",
        "withdrawal_duration": "Withdrawal duration",
        "consent_basis": "Consent basis for sharing",
        "summary": "Summary",
        "check": "Personal data check: Summary",
        "person_name": "Person name",
        "phone": "Phone number",
        "clean": "No personal data found.",
        "save": "Save the draft",
        "submit": "Submit",
        "submitted": "Submitted",
        "refused": "The case was not submitted: it contains personal data",
    },
}


@pytest.fixture
def clock(time_machine):
    """A clock that runs from a fixed morning; a sign-in after enrolling moves it to the
    next 30-second step, so the code is a fresh one (each is accepted once)."""
    time_machine.move_to("2026-12-01 10:00 +0900", tick=True)
    return time_machine


def log_in(page, user, secret, words):
    page.goto("/")
    page.get_by_label(words["username"]).fill(user.username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_label(words["otp"]).fill(code_for(secret))
    page.get_by_role("button", name=words["log_in"]).click()


def signed_in_member(browse, world, clock, language):
    sign_pledges(world.network, world.member)
    secret, _codes = enrol(world.member)
    clock.shift(30)
    page = browse(language)
    words = LABELS[language]
    log_in(page, world.member, secret, words)
    page.get_by_role("navigation").get_by_role("link", name=words["cases"]).click()
    page.get_by_role("heading", name=words["cases"], level=1).wait_for()
    return page, words


def fill_facts(page, words):
    page.get_by_label(words["title"], exact=True).fill("家族の疲弊")
    page.get_by_label(words["age_band"], exact=True).select_option("30s")
    page.get_by_label(words["gender"], exact=True).select_option("male")
    page.get_by_label(words["household"], exact=True).select_option("with_parents")
    page.get_by_label(words["withdrawal_duration"], exact=True).select_option("10_20y")
    page.get_by_label(words["consent_basis"], exact=True).select_option("family")


def test_member_sees_findings_while_typing_removes_them_and_submits(browse, world, clock):
    page, words = signed_in_member(browse, world, clock, "ja")
    assert_accessible(page)
    page.get_by_role("link", name=words["new"]).click()
    fill_facts(page, words)
    summary = page.get_by_label(words["summary"], exact=True)
    summary.press_sequentially(NAME_AND_PHONE)
    check = page.get_by_role("status", name=words["check"])
    # Both findings marked in place, each listed with its category in words.
    check.get_by_text(words["person_name"], exact=True).wait_for()
    check.get_by_text(words["phone"], exact=True).wait_for()
    marks = check.locator("mark")
    assert marks.all_inner_texts() == ["山田太郎", "090-1234-5678"]
    assert_accessible(page)
    # Removed: the findings clear.
    summary.fill(CLEAN)
    check.get_by_text(words["clean"]).wait_for()
    assert check.locator("mark").count() == 0
    page.get_by_role("button", name=words["save"]).click()
    page.get_by_role("button", name=words["submit"], exact=True).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    page.get_by_text(words["submitted"], exact=True).wait_for()
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED
    assert case.code


@pytest.mark.parametrize("language", ["ja", "en"])
def test_case_pages_are_accessible(browse, world, clock, language):
    """The list, the form with findings shown, a case's page and a refused submission."""
    make_case(world.member, world.network, summary=NAME_AND_PHONE, title="要確認の下書き")
    page, words = signed_in_member(browse, world, clock, language)
    assert_accessible(page)
    page.get_by_role("link", name=words["new"]).click()
    page.get_by_label(words["summary"], exact=True).press_sequentially(NAME_AND_PHONE)
    check = page.get_by_role("status", name=words["check"])
    check.get_by_text(words["phone"], exact=True).wait_for()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("row").filter(has_text="要確認の下書き").get_by_role("link").click()
    assert_accessible(page)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    page.get_by_role("alert").get_by_role("heading", name=words["refused"]).wait_for()
    # The error summary takes the focus on load: what went wrong is heard first.
    summary = page.get_by_role("alert").filter(
        has=page.get_by_role("heading", name=words["refused"])
    )
    expect(summary).to_be_focused()
    assert_accessible(page)
    # Nothing lost: the stored text is in the form, its findings marked under it.
    assert page.get_by_label(words["summary"], exact=True).input_value() == NAME_AND_PHONE
    assert check.locator("mark").count() == 2
