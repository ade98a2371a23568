from __future__ import annotations

import re

from django.apps import AppConfig, apps
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

#: Activity photos: ``pledges/activities/<activity pk>/<token>.jpg``.
ACTIVITY_PHOTO_NAME = r"pledges/activities/(?P<activity>\d+)/(?P<token>[0-9A-Za-z_-]{1,32})\.jpg"
#: Inspection fix photos: ``pledges/findings/<uuid hex>.jpg``.
FINDING_PHOTO_NAME = r"pledges/findings/[0-9a-f]{32}\.jpg"


def activity_photo_access(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    """``/media/pledges/activities/…``: anyone, as pledges:activity is public evidence
    (seed: 公示承诺制度). None when no photo row owns ``name``."""
    from pledges.models import ActivityPhoto

    photo = ActivityPhoto.objects.filter(
        token=match["token"], activity_id=match["activity"]
    ).first()
    if photo is None or photo.image.name != name:
        return None
    return True


def finding_photo_access(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    """``/media/pledges/findings/…``: anyone, as pledges:inspection is public evidence
    (小区党组织服务承诺 第7条 限期整改). None when no finding owns ``name``."""
    from pledges.models import Finding

    return True if Finding.objects.filter(fix_photo=name).exists() else None


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
        from huashan.core.media import register_media_access

        register_media_access(ACTIVITY_PHOTO_NAME, activity_photo_access)
        register_media_access(FINDING_PHOTO_NAME, finding_photo_access)
        # Meeting counts are evidence for the pledge items (seed: 小区党组织服务承诺 第1条,
        # 物业管理委员会服务承诺 第8条): re-evaluate when a meeting is held, cancelled or entered.
        if apps.is_installed("meetings"):
            from django.db.models.signals import post_save

            from .hooks import meeting_saved

            post_save.connect(
                meeting_saved,
                sender="meetings.Meeting",
                dispatch_uid="pledges-meeting-evidence",
            )
