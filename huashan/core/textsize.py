"""The 大字 (large text) switch of every page: elder-friendly mode (适老化).

MIIT《互联网网站适老化通用设计规范》asks for a visible way to enlarge the text of every
page. The switch is a plain GET link in the header (no JavaScript, no CSRF token, like the
language switch): this view stores the choice in a long-lived cookie and goes back to the
page; ``templates/base.html`` puts ``class="text-large"`` on ``<html>`` when the cookie
says so, and the stylesheet does the rest (≥ 18 px body text, ≥ 44 px targets, stronger
contrast). Only a display preference changes, so a forged request can do no harm.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

#: Cookie name and values; base.html reads ``request.COOKIES.hs_text``.
COOKIE = "hs_text"
LARGE = "large"
SIZES = {"large", "normal"}
#: Remembered for a year: an elder who chose large text should not have to choose again.
MAX_AGE = 365 * 24 * 3600


def is_large(request: HttpRequest) -> bool:
    """Whether this visitor chose large text (the anonymous page cache keys on it)."""
    return request.COOKIES.get(COOKIE) == LARGE


def text_size(request: HttpRequest) -> HttpResponse:
    """Set (``?size=large``) or clear (``?size=normal``) large text, then go back to ``next``.

    An unknown size changes nothing; ``next`` must stay on this site, otherwise home.
    """
    next_url = str(request.GET.get("next", ""))[:2000]
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:home")
    response = HttpResponseRedirect(next_url)
    size = str(request.GET.get("size", ""))[:10]
    if size == LARGE:
        response.set_cookie(
            COOKIE,
            LARGE,
            max_age=MAX_AGE,
            samesite="Lax",
            secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            httponly=True,
        )
    elif size in SIZES:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
