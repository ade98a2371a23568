from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
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
