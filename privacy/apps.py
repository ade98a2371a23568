from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Personal-information rights")

    def ready(self):
        from huashan.accounts.signals import person_registered

        from .services import notice_accepted_at_registration

        person_registered.connect(
            notice_accepted_at_registration, dispatch_uid="privacy.notice_at_registration"
        )
