from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "provisioning"
    verbose_name = _("Obligation templates and compound setup")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the permission)
