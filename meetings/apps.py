from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # A big-tier complaint proposes an agenda topic for the next joint meeting
        # (seed: 协同联动 第三条; 联席会议议事规则 第二条).
        from issues import services as issue_services

        from .services import agenda_hook

        if agenda_hook not in issue_services.AGENDA_HOOK:
            issue_services.AGENDA_HOOK.append(agenda_hook)
