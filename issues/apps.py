from __future__ import annotations

import re

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

#: Complaint photos as stored (huashan/core/photos.py):
#: ``issues/<yyyy>/<mm>/<issue pk>/<token>.jpg``.
PHOTO_NAME = r"issues/\d{4}/\d{2}/(?P<issue>\d+)/(?P<token>[0-9A-Za-z_-]{1,32})\.jpg"


def photo_access(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    """``/media/issues/…``: as issues:detail shows the photo. The reporter (logged in, or
    holding the tracking code), whoever may open the issue in full
    (``issues.selectors.issue_visible_to``), and anyone for a resolution photo of a public,
    unmerged issue (issues:detail's public view). None when no photo row owns ``name``."""
    from issues import selectors
    from issues.models import Issue, IssuePhoto
    from issues.views import reporter_access

    photo = (
        IssuePhoto.objects.select_related("issue")
        .filter(token=match["token"], issue_id=match["issue"])
        .first()
    )
    if photo is None or photo.image.name != name:
        return None
    issue = photo.issue
    if (
        issue.is_public
        and issue.status != Issue.Status.MERGED
        and photo.stage == IssuePhoto.Stage.RESOLUTION
    ):
        return True
    if selectors.issue_visible_to(person=request.user).filter(pk=issue.pk).exists():
        return True
    return reporter_access(request, issue.tracking_number) is not None


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Residents' complaints")

    def ready(self) -> None:
        from huashan.core.media import register_media_access

        register_media_access(PHOTO_NAME, photo_access)
