"""Markdown → safe HTML for disclosure bodies.

A body is shown on the public board and printed in the report, so it must never
carry script, event handlers, styles or links to anything but http(s)/mailto.
Markdown is rendered with ``markdown`` (tables, lists), then cleaned with
``nh3`` (an allow-list HTML sanitizer); raw HTML in the Markdown goes through
the same allow-list.
"""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
BODY_MAX_CHARS = 50_000


def markdown_to_safe_html(text: str) -> str:
    """Render Markdown and strip everything outside the allow-list."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
