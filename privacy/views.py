"""Pages of the privacy app: the privacy notice and a resident's own data (PIPL arts. 44–47)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice in plain Chinese: what, why, how long, who sees it."""
    from privacy.retention import retention_periods

    return render(request, "privacy/notice.html", {"periods": retention_periods()})
