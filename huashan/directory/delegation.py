"""委托: the community party head entrusts a compound party head with convening and
chairing the compound's joint meeting for a period.

seed: 联席会议议事规则 第三条 "联席会议由社区党组织负责人或受其委托的小区党组织负责人
召集并主持". The service is :mod:`huashan.directory.delegations`.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event


class ChairDelegationQuerySet(models.QuerySet):
    def active(self, on: date | None = None) -> ChairDelegationQuerySet:
        """Delegations in force on ``on`` (today by default): inside the period, not revoked
        before that day."""
        on = on or timezone.localdate()
        return self.filter(start__lte=on, end__gte=on).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
        )


class ChairDelegation(models.Model):
    """A recorded 委托 from a community party head (书记/主任 of the community party
    organization) to a compound party head, for one compound and a period."""

    compound = models.ForeignKey(
        "directory.Compound",
        on_delete=models.PROTECT,
        related_name="chair_delegations",
        verbose_name=_("compound"),
    )
    delegator = models.ForeignKey(
        "directory.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entrusted by"),
    )
    delegate = models.ForeignKey(
        "directory.Person",
        on_delete=models.PROTECT,
        related_name="chair_delegations",
        verbose_name=_("entrusted person"),
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    note = models.TextField(_("scope and remarks"), blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = ChairDelegationQuerySet.as_manager()

    class Meta:
        ordering = ("-start", "-pk")
        verbose_name = _("delegation to convene and chair the joint meeting")
        verbose_name_plural = _("delegations to convene and chair the joint meeting")
        constraints = [
            models.CheckConstraint(
                name="chair_delegation_end_after_start", condition=Q(end__gte=models.F("start"))
            )
        ]
        indexes = [models.Index(fields=("compound", "delegate", "end"))]

    def __str__(self) -> str:
        who = f"{self.delegator_id} → {self.delegate_id}"
        return f"{self.compound_id}: {who} ({self.start}–{self.end})"

    def is_active(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.start <= on <= self.end and (self.revoked_on is None or self.revoked_on > on)


class ChairDelegationEvent(Event):
    """A step of a delegation (granted, revoked), shown as a phrase."""

    VERB_LABELS = {
        "grant": _("Entrusted the convening and chairing of the joint meeting"),
        "revoke": _("Revoked the delegation"),
    }

    delegation = models.ForeignKey(ChairDelegation, on_delete=models.CASCADE, related_name="events")
