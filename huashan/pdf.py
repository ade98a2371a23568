"""PDF rendering with WeasyPrint: one place for fonts, page rules and URL safety.

Every printable document (meeting notices, minutes, the quarterly disclosure
report, pledge letters) is an HTML template extending ``pdf/base.html``,
rendered here. DESIGN.md §4 "PDF": a CJK font is named on ``html`` and in the
``@page`` margin boxes, and WeasyPrint must find ``libharfbuzz-subset0`` (the
system check ``huashan.E002`` fails without it, because a 2-page Chinese
report then takes ~11 s instead of ~0.9 s). Long documents are rendered by
Celery, never in a web request.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# The font stack the PDF CSS names first; installed from Debian `fonts-wqy-microhei`.
PDF_FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif'


class LocalOnlyFetcher(URLFetcher):
    """Fetch only ``data:`` URIs and files inside our static and media folders.

    A disclosure body or an uploaded name must never make the renderer reach
    the network or read an arbitrary file (SSRF / local file disclosure).
    """

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)
        roots = [Path(settings.MEDIA_ROOT), Path(settings.BASE_DIR) / "static"]
        roots += [Path(folder) for folder in getattr(settings, "STATICFILES_DIRS", [])]
        self._roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"file outside the static and media folders: {path}")
        return super().fetch(url, headers)


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes."""
    context = {"pdf_font_family": PDF_FONT_FAMILY, **(context or {})}
    html = render_to_string(template_name, context)
    document = HTML(
        string=html,
        base_url=Path(settings.BASE_DIR).as_uri() + "/",
        url_fetcher=LocalOnlyFetcher(),
    )
    return document.write_pdf()
