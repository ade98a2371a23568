"""The bare baseline: one indexed query, a tiny response, the same middleware stack.

Every page in ``make bench`` is reported as a ratio to this view measured in
the same run on the same server (DESIGN.md §6: absolute numbers are noise).
"""

from django.http import HttpRequest, HttpResponse

from issues.models import Issue


def baseline(request: HttpRequest) -> HttpResponse:
    number = (
        Issue.objects.filter(tracking_number=request.GET.get("n", "HS-2026-000001"))
        .values_list("tracking_number", flat=True)
        .first()
    )
    return HttpResponse(f"ok {number}\n", content_type="text/plain; charset=utf-8")
