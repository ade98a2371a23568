from __future__ import annotations

import re

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

#: Work reports uploaded for a campaign: ``evaluations/<campaign pk>/reports/<hex>.pdf``.
REPORT_NAME = r"evaluations/(?P<campaign>\d+)/reports/[0-9a-f]+\.pdf"


def report_access(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    """``/media/evaluations/<id>/reports/…``: as evaluations:evidence shows it (results
    public, or staff of the campaign). None when no target owns ``name``."""
    from evaluations import services
    from evaluations.models import Target

    target = (
        Target.objects.select_related("campaign__compound")
        .filter(campaign_id=match["campaign"], report_pdf=name)
        .first()
    )
    if target is None:
        return None
    campaign = target.campaign
    return campaign.results_public or services.may_view_staff(request.user, campaign)


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huashan.core.media import register_media_access

        register_media_access(REPORT_NAME, report_access)
