"""A cache for the user-independent part of busy public pages.

The key carries a *version* the caller computes with one cheap indexed query
(for example the newest public event id of a compound), so a change is visible
on the next request without any invalidation hook: a new version is a new key
and the old entry simply expires. A hit costs that one query plus a cache read.

Only cache what is the same for every visitor: no CSRF token, no user name, no
per-user button state. Render those around the cached fragment.

A cache outage (Redis down) never breaks the page: the fragment is built and
served uncached, and the failure is logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = 600


def fragment_key(name: str, parts: Iterable[object]) -> str:
    """A short, safe cache key for ``name`` and its parts (language included).

    Parts may hold user input (query strings); they are hashed, so the key
    never exceeds memcached/Redis limits and cannot smuggle control characters.
    """
    raw = "\x1f".join(str(p) for p in (get_language() or "", *parts))
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"frag:{name}:{digest}"


def cached(
    name: str, parts: Iterable[object], build: Callable[[], T], timeout: int = DEFAULT_TIMEOUT
) -> T:
    """Return the cached value for ``(name, parts)``, building and storing it on a miss.

    ``build`` must return something picklable (a rendered string, a dict of
    plain values); never a lazy queryset.
    """
    key = fragment_key(name, parts)
    try:
        value = cache.get(key)
    except Exception:  # a cache outage must not break a public page
        logger.warning("cache unreachable: fragment %s built uncached", name, exc_info=True)
        return build()
    if value is not None:
        return value
    value = build()
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache unreachable: fragment %s not stored", name, exc_info=True)
    return value


# --- whole pages for anonymous visitors ------------------------------------------------


def anonymous_page(
    name: str,
    version: Callable[..., object],
    timeout: int = 60,
    cacheable: Callable[..., bool] | None = None,
):
    """Cache a public view's whole response for visitors who carry no session at all.

    ``version(request, *args, **kwargs)`` is the caller's one cheap query (as for
    :func:`cached`); the key also holds the full path (filters, page, ``next``) and
    the language. What is never cached: any request with a session or a pending
    message (a logged-in user, a resident in the middle of filing), anything but
    GET/HEAD, anything but a plain 200, a response that sets a cookie, and any page
    that asked for a CSRF token while rendering — so a form can never be served
    with another visitor's token. ``cacheable(request)`` may refuse more (free-text
    searches, which would only fill the cache). A hit costs the version query and a
    cache read.
    """
    from functools import wraps

    from django.conf import settings
    from django.http import HttpResponse

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (
                request.method not in ("GET", "HEAD")
                or settings.SESSION_COOKIE_NAME in request.COOKIES
                or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES
                or (cacheable is not None and not cacheable(request))
            ):
                return view(request, *args, **kwargs)
            # The 大字 cookie changes <html class> (huashan.core.textsize): part of the key.
            text = request.COOKIES.get("hs_text", "")[:10]
            parts = [request.get_full_path(), text, version(request, *args, **kwargs)]
            key = fragment_key(f"page:{name}", parts)
            try:
                hit = cache.get(key)
            except Exception:
                logger.warning("cache unreachable: page %s served uncached", name, exc_info=True)
                return view(request, *args, **kwargs)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not request.META.get("CSRF_COOKIE_USED")
            ):
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                try:
                    cache.set(key, (response.content, response["Content-Type"]), timeout)
                except Exception:
                    logger.warning("cache unreachable: page %s not stored", name, exc_info=True)
            return response

        return wrapped

    return decorator


# --- whole pages for one signed-in person, for a short stated age ---------------------

#: A per-person page may show figures up to this many seconds old; the page says so
#: ("数据截至 hh:mm:ss", the time its figures were read).
PERSON_PAGE_AGE = 30


def person_page_cacheable(request) -> bool:
    """Whether ``request`` may be answered from (or stored in) the per-person cache.

    Only a plain GET/HEAD of a signed-in, active person with a session, and nothing
    waiting to be said to them (a flash message means something just changed: the
    page must show it, and that change, now)."""
    user = getattr(request, "user", None)
    if request.method not in ("GET", "HEAD") or user is None or not user.is_authenticated:
        return False
    if not user.is_active or getattr(request, "session", None) is None:
        return False
    if not request.session.session_key:
        return False
    storage = getattr(request, "_messages", None)
    # len() reads pending messages without marking them shown.
    return not (storage is not None and len(storage))


def person_page(
    request,
    name: str,
    parts: Iterable[object],
    build: Callable[[], object],
    timeout: int = PERSON_PAGE_AGE,
):
    """Serve ``build()`` (a view's response) from a cache private to this person.

    Call it *after* the view's own permission check, so a person who may no longer
    open the page is refused before any cached copy is looked at. The key holds the
    person, the session (so a cached page's logout form carries this browser's CSRF
    token and a new login never sees an older session's page), the CSRF cookie, the
    full path, the language, the 大字 setting and the caller's ``parts`` (the object
    shown). Stored only: a plain 200 that sets no cookie. A page the person changes
    (a form) must not use this; neither may any request :func:`person_page_cacheable`
    refuses. A cache outage serves the page uncached.

    A page whose content also follows the clock (a deadline turning overdue) sets
    ``response.cache_seconds`` in ``build``: it is kept no longer than that (0: not
    kept). A page that is current rather than "figures as of" puts a *version* of what
    it shows in ``parts`` (for example the newest event id), so a change is seen on
    the next request.
    """
    from django.conf import settings
    from django.http import HttpResponse

    if not person_page_cacheable(request):
        return build()
    key = fragment_key(
        f"person:{name}",
        [
            request.user.pk,
            request.session.session_key,
            request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
            request.get_full_path(),
            request.COOKIES.get("hs_text", "")[:10],
            *parts,
        ],
    )
    try:
        hit = cache.get(key)
    except Exception:
        logger.warning("cache unreachable: page %s served uncached", name, exc_info=True)
        return build()
    if hit is not None:
        content, content_type = hit
        response = HttpResponse(content, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response
    response = build()
    timeout = min(timeout, int(getattr(response, "cache_seconds", timeout)))
    if (
        timeout > 0
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
    ):
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        try:
            cache.set(key, (response.content, response["Content-Type"]), timeout)
        except Exception:
            logger.warning("cache unreachable: page %s not stored", name, exc_info=True)
    return response
