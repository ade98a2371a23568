"""Accessibility checked in the browser, not assumed (issue 19 item 3).

Every page a resident or an evaluator can open — found, not listed by hand: the pages a
visitor and a verified owner of the demo (``seed_demo``) reach by following the links of
the site from home, the filing form, the login page and a ballot link (the evaluator's
page; one page per kind of link, as the every-page sweep does) — is opened in Chromium
at 390×844, in normal and in large-text (大字) mode, and must have

* zero serious or critical axe-core violations (``node_modules/axe-core``, injected);
* a header at most 15 % of the first screen;
* no sideways scrolling: ``document.documentElement.scrollWidth`` ≤ 390.

Moderate and minor findings are collected, printed, and listed in docs/accessibility.md.
One test on purpose: one seeded world, one browser, one live server; the test database
is flushed once at the end, as for every transactional test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from huashan.core import textsize
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
#: At most this share of the first screen is header (issue 19: "≤ 15 %").
HEADER_SHARE = 0.15
BLOCKING = {"serious", "critical"}
OWNER_MOBILE = "13800000401"  # seed_demo: 业主（已认证）曹建华
#: Links that are not pages: they switch a preference, log out, or are files and feeds.
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/language/", "/text-size/", "/admin/", "/api/")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".atom", ".xml", ".json", "/feed/")
#: Crawl budget per visitor (one page per kind of link: one complaint stands for all).
MAX_PAGES = 60


def demo_world():
    """seed_demo, plus a fresh ballot token for its campaign in scoring."""
    from io import StringIO

    from django.core.management import call_command

    from evaluations import services as evaluation_services
    from evaluations.models import Campaign
    from huashan.directory.models import Person

    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    campaign = Campaign.objects.filter(state=Campaign.State.SCORING).first()
    assert campaign is not None, "seed_demo no longer seeds a campaign in scoring"
    organizer = next(
        person
        for person in Person.objects.filter(is_active=True).order_by("pk")
        if person.has_perm("evaluations.organize", campaign)
    )
    token = evaluation_services.tokens_issue(actor=organizer, campaign=campaign)[0].token
    return Person.objects.get(mobile=OWNER_MOBILE), token


def _is_page(response) -> bool:
    return (
        response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and not response.streaming
        and b"<html" in response.content[:4000].lower()
    )


def crawl(client, starts: list[str]) -> list[str]:
    """The pages this visitor reaches from ``starts`` by the links in <main> and <nav>,
    one page of each kind of link (tests/sweep: URL pattern + query keys)."""
    from tests.sweep.test_pages import _link_targets, link_kind, page_problems

    seen_kinds: set[str] = set()
    queue = list(starts)
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        kind = link_kind(url)
        if kind in seen_kinds or url.startswith(SKIP_PREFIXES) or url.endswith(SKIP_SUFFIXES):
            continue
        seen_kinds.add(kind)
        response = client.get(url)
        if not _is_page(response):
            continue
        pages.append(url)
        _problems, links = page_problems(response.content.decode("utf-8", "replace"))
        queue.extend(_link_targets(url, links))
    return pages


def resident_pages(owner, token: str) -> dict[str, list[str]]:
    """{"anonymous": [...], "owner": [...]}: what a visitor (and an evaluator holding a
    ballot link) and a logged-in owner reach; a page both reach is checked as the owner."""
    starts = [reverse("core:home"), reverse("evaluations:ballot", kwargs={"token": token})]
    logged_in = Client()
    logged_in.force_login(owner)
    owner_pages = crawl(logged_in, [*starts, reverse("issues:file")])
    anonymous = [
        url
        for url in crawl(Client(), [*starts, reverse("accounts:login")])
        if url not in owner_pages
    ]
    return {"anonymous": anonymous, "owner": owner_pages}


def check_page(page) -> dict:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          const header = document.querySelector(".site-header");
          return {
            violations: r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            })),
            header: header ? header.getBoundingClientRect().height : 0,
            scrollWidth: document.documentElement.scrollWidth,
          };
        }"""
    )
    return result


def test_every_resident_and_evaluator_page_at_390px_normal_and_large(live_server, browser):
    assert AXE.exists(), "axe-core is missing: run `npm ci` at the repository root"
    owner, token = demo_world()
    pages = resident_pages(owner, token)
    print(json.dumps(pages, ensure_ascii=False, indent=1))
    # The crawl found the pages that matter (a broken crawl would check nothing).
    assert reverse("core:home") in pages["owner"]
    assert reverse("issues:mine") in pages["owner"]
    assert reverse("evaluations:ballot", kwargs={"token": token}) in pages["owner"]
    assert reverse("accounts:login") in pages["anonymous"]
    assert len(pages["owner"]) + len(pages["anonymous"]) >= 20

    owner_client = Client()
    owner_client.force_login(owner)
    session = owner_client.cookies[settings.SESSION_COOKIE_NAME].value
    problems: list[str] = []
    moderate: dict[str, set[str]] = {}
    checked = 0
    for mode in ("normal", "large"):
        for role, urls in pages.items():
            context = browser.new_context(
                viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN", bypass_csp=True
            )
            context.set_default_timeout(15_000)
            cookies = []
            if mode == "large":
                cookies.append({"name": textsize.COOKIE, "value": "large", "url": live_server.url})
            if role == "owner":
                cookies.append(
                    {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
                )
            if cookies:
                context.add_cookies(cookies)
            page = context.new_page()
            for url in urls:
                page.goto(live_server.url + url)
                where = f"{mode} {role} {url}"
                is_large = page.evaluate(
                    "document.documentElement.classList.contains('text-large')"
                )
                if is_large != (mode == "large"):
                    problems.append(f"{where}: large-text class is {is_large}")
                result = check_page(page)
                checked += 1
                if result["header"] > HEADER_SHARE * PHONE["height"]:
                    problems.append(f"{where}: header {result['header']:.0f} px")
                if result["scrollWidth"] > PHONE["width"]:
                    problems.append(f"{where}: scrollWidth {result['scrollWidth']}")
                for violation in result["violations"]:
                    if violation["impact"] in BLOCKING:
                        problems.append(f"{where}: {json.dumps(violation, ensure_ascii=False)}")
                    else:
                        rule = f"{violation['id']} ({violation['impact']})"
                        moderate.setdefault(rule, set()).add(url)
            context.close()
    for rule, urls in sorted(moderate.items()):
        print(f"axe {rule}: {len(urls)} pages, e.g. {sorted(urls)[:3]}")
    assert checked == 2 * (len(pages["owner"]) + len(pages["anonymous"]))
    assert not problems, "\n".join(problems)
