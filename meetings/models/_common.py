"""What every meetings model module shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PERSON = settings.AUTH_USER_MODEL


class HearingSubject(models.TextChoices):
    """Public matters that need a hearing of owner representatives before they proceed.

    seed: 小区党组织服务承诺 8 公共事务共决策 "涉及绿化改造、停车规划等事项时，牵头组织业主代表
    听证会".
    """

    NONE = "", _("Not a matter for an owners' hearing")
    GREENERY = "greenery", _("Greenery renovation (绿化改造)")
    PARKING = "parking", _("Parking planning (停车规划)")
    OTHER_PUBLIC = "other_public", _("Other public matter affecting the owners")
