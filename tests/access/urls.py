"""Every named URL of the project (admin: only its index), with its keyword names."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

_KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def named_urls() -> list[tuple[str, list[str]]]:
    """[(namespaced name, [keyword names])], sorted; duplicate names keep the most specific."""
    found: dict[str, list[str]] = {}

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
                if name not in found or len(keys) > len(found[name]):
                    found[name] = keys

    walk(get_resolver(), None, "")
    return sorted(found.items())
