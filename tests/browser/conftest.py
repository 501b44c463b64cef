"""Browser tests: Playwright for Python driving Debian's Chromium against a live server, with
axe-core checking every page a test visits.

Under CI=true (`.ci/run` installs Chromium first) a missing browser fails the run. Elsewhere
the tests are skipped, saying so, where no Chromium is found (`apt-get install chromium`, or
CHROMIUM_PATH naming another binary).
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (making
# the world) are ordinary synchronous code, which Django would otherwise refuse there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
NO_BROWSER = (
    "browser tests skipped: no Chromium found (install Debian's package with "
    "`apt-get install chromium`, or set CHROMIUM_PATH); `.ci/run` installs it under CI=true"
)
# What axe-core checks: WCAG 2.0 and 2.1, levels A and AA (JIS X 8341-3:2016 is WCAG 2.0),
# and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium is installed: .ci/run should have installed it")
        pytest.skip(NO_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def browse(browser, live_server, transactional_db):
    """`browse(language="ja")`: a new page in a fresh browser context (its own cookies) on
    the live server, asking for `language` first."""
    contexts = []

    def open_page(language: str = "ja"):
        context = browser.new_context(
            base_url=live_server.url,
            locale={"ja": "ja-JP", "en": "en-US"}[language],
            extra_http_headers={"Accept-Language": language},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A/AA and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.response["violations"]


def assert_accessible(page) -> None:
    """Fail with axe-core's report when the page has any violation."""
    violations = axe_violations(page)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe-core on {page.url}:\n{report}"


def signed_in_page(browse, time_machine, user, language: str = "ja"):
    """A page signed in as `user` with a one-time code, the clock running from a fixed
    morning (enrolling takes one code, signing in the next 30-second step's)."""
    from tests.browser.test_shell import log_in
    from tests.signin.conftest import enrol

    time_machine.move_to("2026-12-01 10:00 +0900", tick=True)
    secret, _codes = enrol(user)
    time_machine.shift(30)
    page = browse(language)
    log_in(page, user, secret)
    return page
