"""The OpenAPI docs page works under the CSP (issue 14 item 8).

``script-src 'self'`` forbids inline scripts; the one-page Swagger view started the UI
from an inline script, so the docs page was blank. The split view serves that script
as a file of its own.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True


def test_the_docs_page_has_no_inline_script_and_every_script_is_served():
    client = Client()
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = page.content.decode()
    assert "<style" not in html  # style-src 'self': an inline <style> would be ignored
    scripts = list(SCRIPT.finditer(html))
    assert len(scripts) >= 3  # the bundle, the preset, the start-up script
    for script in scripts:
        assert script["body"].strip() == "", "an inline script: blocked by the CSP"
        src = re.search(r'src="([^"]+)"', script["attrs"])[1]
        served = client.get(src.replace("&amp;", "&"))
        assert served.status_code == 200, src
        assert "javascript" in served["Content-Type"], src


def test_the_start_up_script_points_at_the_schema():
    client = Client()
    script = client.get(reverse("api-docs") + "?script=")
    assert reverse("api-schema") in script.content.decode()
