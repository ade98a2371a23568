"""Template context shared by every page: header counters and staff warnings."""

from __future__ import annotations

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "staff_warnings": [], "portal_is_staff": False}
    from huashan.directory.selectors import person_is_staff
    from huashan.notify.selectors import unread_count

    warnings: list[str] = []
    is_staff = person_is_staff(person=user)
    if is_staff:
        from huashan.core.heartbeat import scheduler_warning
        from huashan.workdays import calendar_coverage_warning

        for message in (scheduler_warning(), calendar_coverage_warning()):
            if message:
                warnings.append(message)
    return {
        "unread_notifications": unread_count(user=user),
        "staff_warnings": warnings,
        # Read by {% is_staff_person %} in the header, so the check runs once per page.
        "portal_is_staff": is_staff,
    }
