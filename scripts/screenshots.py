"""Save PNG screenshots of the main resident pages into docs/screenshots/.

Run against a running server (``make run``) with a demo resident's login:

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 \
        --mobile 13800000001 --password '...'

Without --mobile only the public pages (home, login, register) are shot.
Uses Debian's /usr/bin/chromium through Playwright on a 390×844 phone screen; also the
open menu, large-text (大字) mode and the 1366 px desktop layout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# A command-line script: printing is its interface.
# ruff: noqa: T201

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def shoot(page, url: str, path: Path) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), full_page=True)
    print(f"saved {path}")


def log_in(page, base: str, mobile: str, password: str) -> bool:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        print(f"login failed for {mobile}: check the number and --password", file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--mobile", help="demo resident's mobile number, to shoot the inbox")
    parser.add_argument("--password", default="")
    parser.add_argument("--staff-mobile", help="demo clerk's mobile, for the queue")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        page = context.new_page()
        shoot(page, f"{base}/", args.out / "home.png")
        shoot(page, f"{base}/accounts/login/", args.out / "login.png")
        shoot(page, f"{base}/accounts/register/", args.out / "register.png")
        shoot(page, f"{base}/issues/board/", args.out / "issues-board.png")
        shoot(page, f"{base}/issues/new/", args.out / "issues-file.png")
        shoot(page, f"{base}/disclosures/", args.out / "disclosures-board.png")
        shoot(page, f"{base}/pledges/", args.out / "pledges-board.png")
        shoot(page, f"{base}/meetings/", args.out / "meetings-list.png")
        # The rulebook runs to 48 articles: its first screen is what a resident meets.
        page.goto(f"{base}/rules/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(args.out / "rulebook.png"))
        print(f"saved {args.out / 'rulebook.png'}")
        # The header's menu sheet, open (issue 19: name + one menu button on a phone).
        page.goto(f"{base}/")
        page.click(".site-menu__button")
        page.screenshot(path=str(args.out / "menu-open.png"))
        print(f"saved {args.out / 'menu-open.png'}")
        # Large-text mode (大字, 适老化) on the phone, and the desktop layout.
        large = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        large.add_cookies([{"name": "hs_text", "value": "large", "url": base}])
        large_page = large.new_page()
        shoot(large_page, f"{base}/", args.out / "home-large.png")
        shoot(large_page, f"{base}/issues/new/", args.out / "issues-file-large.png")
        desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        shoot(desktop.new_page(), f"{base}/", args.out / "home-desktop.png")
        if args.mobile:
            if not log_in(page, base, args.mobile, args.password):
                browser.close()
                return 1
            shoot(page, f"{base}/", args.out / "home-resident.png")
            shoot(page, f"{base}/issues/mine/", args.out / "issues-mine.png")
            shoot(page, f"{base}/notifications/", args.out / "inbox.png")
        if args.staff_mobile:
            staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            staff_page = staff.new_page()
            if not log_in(staff_page, base, args.staff_mobile, args.password):
                browser.close()
                return 1
            shoot(staff_page, f"{base}/issues/queue/", args.out / "issues-queue.png")
            shoot(staff_page, f"{base}/dashboard/", args.out / "dashboard.png")
            shoot(staff_page, f"{base}/meetings/items/", args.out / "meetings-items.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
