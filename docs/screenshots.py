"""The README's screenshots, taken from a running demo (`make run`): the home page of a
partner agency's member, and the case form with the screening's findings marked.

    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]

Needs Debian's chromium (and fonts-noto-cjk for the Japanese text)."""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "img"
USER, PASSWORD = "npo_staff", "demo-pass-2026"  # load_demo's published demo login
TEXT = "山田太郎さん（090-1234-5678）の母親から相談があった。本人は自室で過ごしている。"


def main():
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page(
            base_url=BASE, locale="ja-JP", viewport={"width": 1200, "height": 900}
        )
        page.goto("/login/")
        page.get_by_label("ユーザー名").fill(USER)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.get_by_role("heading", name="今日やること").wait_for()
        page.screenshot(path=OUT / "home.png", full_page=True)
        page.goto("/cases/new/")
        page.get_by_label("表題", exact=True).fill("就労に踏み出せない30代")
        page.get_by_label("概要", exact=True).press_sequentially(TEXT, delay=10)
        check = page.get_by_role("status", name="個人情報の確認: 概要")
        check.get_by_text("電話番号", exact=True).wait_for()
        page.get_by_label("概要", exact=True).evaluate(
            "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 120)"
        )
        page.screenshot(
            path=OUT / "case-form.png", clip={"x": 0, "y": 0, "width": 1200, "height": 560}
        )
        browser.close()
    print(f"written: {OUT / 'home.png'}, {OUT / 'case-form.png'}")


if __name__ == "__main__":
    main()
