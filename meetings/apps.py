from __future__ import annotations

import re

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

#: Agreed-item evidence files: ``meetings/evidence/<item pk>/<file name>``.
EVIDENCE_NAME = r"meetings/evidence/(?P<item>\d+)/[^/]+"


def evidence_access(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    """``/media/meetings/evidence/…``: ``meetings.view_meeting`` on the agreed item, as
    meetings:action_item checks. None when no progress update owns ``name``."""
    from meetings.models import ActionItemUpdate

    update = (
        ActionItemUpdate.objects.select_related("item__compound")
        .filter(item_id=match["item"], evidence_file=name)
        .first()
    )
    if update is None:
        return None
    return request.user.has_perm("meetings.view_meeting", update.item)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from huashan.core.media import register_media_access

        register_media_access(EVIDENCE_NAME, evidence_access)
        # A big-tier complaint proposes an agenda topic for the next joint meeting
        # (seed: 协同联动 第三条; 联席会议议事规则 第二条).
        from issues import services as issue_services

        from .services import agenda_hook

        if agenda_hook not in issue_services.AGENDA_HOOK:
            issue_services.AGENDA_HOOK.append(agenda_hook)
        # A revoked 委托 hands its scheduled joint meetings back to the community party
        # head (seed: 联席会议议事规则 第三条).
        from huashan.directory import delegations

        from .services.chairing import meetings_chair_after_revocation

        if meetings_chair_after_revocation not in delegations.REVOKE_HOOKS:
            delegations.REVOKE_HOOKS.append(meetings_chair_after_revocation)
