from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "huashan.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.apps import apps

        if apps.is_installed("issues"):
            from django.db.models.signals import post_save

            from .receivers import issue_event_tracking_sms

            post_save.connect(
                issue_event_tracking_sms,
                sender="issues.IssueEvent",
                dispatch_uid="notify.issue_event_tracking_sms",
            )
