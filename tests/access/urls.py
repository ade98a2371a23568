"""Every named URL of the project (admin: only its index), with its keyword names."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

_KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")
_PK = re.compile(r"<(?:\w+:)?pk>|\(\?P<pk>")


def named_urls() -> list[tuple[str, list[str]]]:
    """[(namespaced name, [keyword names])], sorted; duplicate names keep the most specific."""
    return sorted((name, keys) for name, (keys, _) in _walk().items())


def pk_segment(name: str) -> str | None:
    """The path segment just before the URL's ``pk`` ("meetings/items/<pk>/" -> "items")."""
    return _walk()[name][1]


_FOUND: dict[str, tuple[list[str], str | None]] = {}


def _walk() -> dict[str, tuple[list[str], str | None]]:
    if _FOUND:
        return _FOUND
    found: dict[str, tuple[list[str], str | None]] = {}

    def walk(resolver, namespace: str | None, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, ns, text)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name.startswith("admin:") and name != "admin:index":
                    continue
                keys = [a or b for a, b in _KWARG.findall(text)]
                if name not in found or len(keys) > len(found[name][0]):
                    found[name] = (keys, _segment_before_pk(text))

    walk(get_resolver(), None, "")
    _FOUND.update(found)
    return _FOUND


def _segment_before_pk(text: str) -> str | None:
    match = _PK.search(text)
    if match is None:
        return None
    return text[: match.start()].rstrip("/").rsplit("/", 1)[-1].lstrip("^")
