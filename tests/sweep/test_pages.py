"""Every page × every role × every shape (issue 13, "Tests that must exist", first bullet).

For each named URL (``get_resolver()``, through ``tests/access/urls.py``) and each demo
role (``seed_demo --print-logins``, plus anonymous visitors with and without a tracking
code), the page is requested for one object of each *shape* the data holds
(``tests/sweep/shapes.py``). Asserted for every response:

* no 5xx, ever;
* an HTML page has ``<html lang=…>``, a non-empty ``<title>``, no unresolved template
  variable and, on a Chinese page, no raw code (a snake_case token such as
  ``send_notice``) in its visible text;
* every link the page shows to that role (inside ``<main>`` and ``<nav>``; same origin)
  opens for that role: no 403/404/405/5xx behind it, and no login page for a role that
  is logged in. One link of each *kind* (URL pattern + query keys: one complaint's
  page stands for all) is opened per role and worker; the verdict is reported on every
  page that shows a link of that kind, so a broken link fails the same cases whatever
  order xdist runs them in.

A URL answering GET with 405 is an action (POST only): the sweep only reads.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.access.urls import named_urls, pk_segment
from tests.access.world import PK_OBJECT, kwargs_for
from tests.sweep.shapes import ROLES, issue_shapes, object_shapes

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

#: Query strings for endpoints that need parameters (as tests/access/test_matrix.py).
QUERY = {
    "issues_api:rates-list": "?compound=jiangnan-huashan&month=2026-01",
    "disclosures_api:compliance-list": "?compound=jiangnan-huashan&period=2026",
}
#: URLs that change the visitor's session rather than show a page.
NOT_PAGES = {"accounts:logout", "set_language", "core:language"}
#: Link targets that are not pages to open (they log out or switch the language).
LINK_SKIP = ("/accounts/logout/", "/i18n/", "/language/")
ISSUE_KEYS = ({"tracking_number"}, {"tracking"})

#: (role, url name) -> the bug, for cases that fail today. Strict: remove when fixed.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

URLS = [(name, keys) for name, keys in named_urls() if name not in NOT_PAGES]
#: (role, link kind) -> "" (opens) or what went wrong; per worker process.
_LINK_VERDICTS: dict[tuple[str, str], str] = {}
_SHAPES: dict[str, object] = {}


def _cases():
    for role in ROLES:
        for name, keys in URLS:
            marks = ()
            if (role, name) in KNOWN_BUGS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(role, name)])
            yield pytest.param(role, name, keys, id=f"{role}-{name}", marks=marks)


# --- what to request -----------------------------------------------------------------


def _shapes(sweep):
    if not _SHAPES:
        _SHAPES["issue"] = issue_shapes(sweep.a)
        _SHAPES.update(object_shapes(sweep.a))
    return _SHAPES


def variants(sweep, name: str, keys: list[str]) -> list[tuple[str, str]]:
    """[(shape label, url)]: the access world's object, then one object of each shape."""
    base = kwargs_for(sweep, name, keys)
    query = QUERY.get(name, "")
    out = [("world", reverse(name, kwargs=base) + query)]
    shapes = []
    if set(keys) in ISSUE_KEYS:
        shapes = _shapes(sweep)["issue"]
    elif keys == ["pk"] and name not in sweep.by_name:
        what = PK_OBJECT.get((name.partition(":")[0], pk_segment(name)))
        shapes = _shapes(sweep).get(what, [])
    for shape in shapes:
        url = reverse(name, kwargs={keys[0]: shape.value}) + query
        if url != out[0][1]:
            out.append((shape.label, url))
    return out


def client_for(sweep, role: str) -> Client:
    client = Client(raise_request_exception=False)  # a 5xx is collected, not raised
    if role == "anonymous_with_code":
        from issues.views import SESSION_CODES

        session = client.session
        session[SESSION_CODES] = dict(sweep.codes)
        session.save()
    elif role != "anonymous":
        client.force_login(sweep.sweep_people[role])
    return client


# --- what a page must be -------------------------------------------------------------


class PageParser(HTMLParser):
    """The visible text, the title, ``<html lang>`` and the links inside <main>/<nav>."""

    INVISIBLE = {"script", "style", "template", "title", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.title = ""
        self.text: list[str] = []
        self.links: list[str] = []
        self._stack: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("href") and {"main", "nav"} & set(self._stack):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            return
        self._stack.append(tag)
        if tag in self.INVISIBLE or "hidden" in attrs:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            if top in self.INVISIBLE:
                self._hidden -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if self._stack and self._stack[-1] == "title":
            self.title += data
        elif not self._hidden:
            self.text.append(data)


RAW_CODE = re.compile(r"(?<![\w/.@:=-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.@=-])")
WORD = re.compile(r"(?<![\w/.@:=-])[a-z]+(?![\w/.@=-])")
PROJECT_APPS = ("issues", "meetings", "disclosures", "pledges", "evaluations", "huashan")
_CHOICE_CODES: set[str] = set()


def choice_codes() -> set[str]:
    """Every one-word stored value of the project's choice fields ("draft", "closed", ...):
    shown as such on a Chinese page, it is a code that missed its label."""
    if not _CHOICE_CODES:
        from django.apps import apps

        for model in apps.get_models():
            if not model.__module__.startswith(PROJECT_APPS):
                continue
            for field in model._meta.get_fields():
                for value, _label in getattr(field, "choices", None) or ():
                    if isinstance(value, str) and value.isascii() and value.isalpha():
                        _CHOICE_CODES.add(value)
    return _CHOICE_CODES


def lone_choice_codes(text: str) -> set[str]:
    """Choice codes standing alone among Chinese ("状态：draft"), not words of an English
    phrase ("Decision report events": untranslated, but not a code)."""
    found = set()
    codes = choice_codes()
    for match in WORD.finditer(text):
        if match.group() not in codes:
            continue
        before = text[: match.start()].rstrip()[-1:]
        after = text[match.end() :].lstrip()[:1]
        if not (before.isascii() and before.isalpha()) and not (
            after.isascii() and after.isalpha()
        ):
            found.add(match.group())
    return found


def page_problems(html: str) -> tuple[list[str], list[str]]:
    """(problems, links) of one HTML page."""
    parser = PageParser()
    parser.feed(html)
    problems = []
    document = "<html" in html[:4000].lower()  # else a fragment (htmx polling, a partial)
    if document and not parser.lang:
        problems.append("no <html lang>")
    if document and not parser.title.strip():
        problems.append("empty <title>")
    text = " ".join(parser.text)
    if "INVALID_TEMPLATE_VARIABLE" in html:
        problems.append(
            "unresolved template variable: "
            + ", ".join(sorted(set(re.findall(r"INVALID_TEMPLATE_VARIABLE\[([^\]]*)\]", html))))
        )
    if (parser.lang or settings.LANGUAGE_CODE).lower().startswith("zh"):
        raw = sorted(set(RAW_CODE.findall(text)) | lone_choice_codes(text))
        if raw:
            problems.append(f"raw code in the visible text: {raw[:8]}")
    return problems, parser.links


def _cause(response) -> str:
    """The exception behind a 500, as ``Type: message @ file:line``."""
    info = getattr(response, "exc_info", None)
    if not info or info[1] is None:
        return ""
    import traceback

    frame = traceback.extract_tb(info[2])[-1]
    return f"({type(info[1]).__name__}: {str(info[1])[:160]} @ {frame.filename}:{frame.lineno})"


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not response.streaming


def _link_targets(page_url: str, links: list[str]) -> list[str]:
    out = []
    for href in links:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "sms:", "javascript:", "data:")):
            continue
        parts = urlsplit(urljoin("http://testserver" + page_url, href))
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue  # another site
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target.startswith(LINK_SKIP):
            continue
        out.append(target)
    return list(dict.fromkeys(out))


def link_kind(target: str) -> str:
    """What a link opens, whatever the object: the URL pattern and the query's keys
    ("issues/<tracking:tracking_number>/?", "issues/board/?page,status")."""
    parts = urlsplit(target)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return f"{route}?{keys}"


def check_links(client, role: str, page_url: str, links: list[str]) -> list[str]:
    """Open one link of each kind per role (cached per worker); report every link of a
    kind found broken, on every page that shows one, whatever the order pages ran in."""
    problems = []
    for target in _link_targets(page_url, links):
        key = (role, link_kind(target))
        if key not in _LINK_VERDICTS:
            _LINK_VERDICTS[key] = open_link(client, role, target)
        if _LINK_VERDICTS[key]:
            problems.append(f"link {target} -> {_LINK_VERDICTS[key]}")
    return problems


def open_link(client, role: str, target: str) -> str:
    """ "" if the link opens for this role, else what went wrong."""
    response = client.get(target)
    status = response.status_code
    if status >= 500 or status in (403, 404, 405, 410):
        return f"{status} {_cause(response)}".rstrip()
    location = response.get("Location", "")
    if role not in ("anonymous", "anonymous_with_code") and "/accounts/login/" in location:
        return "login page"
    return ""


def _values(shapes, field: str) -> set[str]:
    return {dict(p.split("=", 1) for p in shape.label.split(","))[field] for shape in shapes}


def test_every_shape_was_made(sweep):
    """The shapes the demo lacks were made through the services (none refused), and the
    sweep requests a complaint of every state, tier and flag, a meeting of every kind
    and state, a campaign in every stage up to the street's approval and a motion in
    its vote."""
    from evaluations.models import Campaign
    from issues.models import Issue
    from meetings.models import Meeting

    assert sweep.shape_errors == []
    shapes = _shapes(sweep)
    issues = shapes["issue"]
    assert _values(issues, "status") == set(Issue.Status.values)
    assert _values(issues, "tier") == set(Issue.Tier.values)
    for flag in ("is_hazard", "is_public", "anonymous", "has_photos"):
        assert _values(issues, flag) == {"True", "False"}, flag
    assert _values(issues, "whistle") == {"none", "open", "closed"}
    assert _values(shapes["meeting"], "kind") == set(Meeting.Kind.values)
    assert _values(shapes["meeting"], "status") == set(Meeting.Status.values)
    stages = set(Campaign.State.values) - {Campaign.State.APPROVED, Campaign.State.CIRCULATED}
    assert stages <= _values(shapes["campaign"], "state")
    assert _values(shapes["summary"], "pending") == {"True", "False"}
    assert "voting" in _values(shapes["motion"], "stage")


@pytest.mark.parametrize(("role", "name", "keys"), list(_cases()))
def test_page(sweep, role, name, keys):
    """Every page this role can request, for each shape: no 5xx, a proper page, live links."""
    client = client_for(sweep, role)
    problems = []
    for label, url in variants(sweep, name, keys):
        response = client.get(url)
        status = response.status_code
        if status == 405 and label == "world":
            break  # an action (POST only): no page for any shape
        where = f"{role} GET {url} [{label}]"
        if status >= 500:
            problems.append(f"{where}: {status} {_cause(response)}")
            continue
        if status != 200 or not _is_html(response):
            continue
        found, links = page_problems(response.content.decode("utf-8", "replace"))
        found += check_links(client, role, url, links)
        problems += [f"{where}: {p}" for p in found]

    assert not problems, "\n".join(problems)


def test_the_page_checks_catch_what_they_look_for():
    """The sweep's own checks: raw codes in visible text only, lang, title, variables."""
    page = (
        '<html lang="zh-hans"><head><title>问题</title><script>var a = "send_notice";</script>'
        '</head><body><nav><a href="/issues/board/">问题</a></nav><main>'
        '<p data-x="in_progress">状态：受理</p><a href="/x/">链接</a></main></body></html>'
    )
    assert page_problems(page) == ([], ["/issues/board/", "/x/"])
    raw = page.replace("状态：受理", "状态：in_progress → draft")
    assert page_problems(raw)[0] == ["raw code in the visible text: ['draft', 'in_progress']"]
    english = page.replace("状态：受理", "Decision report events")  # words, not a code
    assert page_problems(english)[0] == []
    bare = "<html><head><title> </title></head><body>INVALID_TEMPLATE_VARIABLE[x.y]</body></html>"
    assert page_problems(bare)[0] == [
        "no <html lang>",
        "empty <title>",
        "unresolved template variable: x.y",
    ]
    assert page_problems("<tr><td>片段</td></tr>") == ([], [])  # a fragment: no lang/title
