"""The compound's participation settings and the register of exclusive units.

* :class:`MeetingsPolicy` — per compound: whether anonymous visitors may read the public
  meeting pages, and the "large amount" above which using the maintenance fund needs the
  early intervention of the street and the community party organization
  (协同联动解决小区事务流程 第七条 "大额维修资金使用").
* :class:`UnitOwnership` — who owns each exclusive unit (专有部分) and whether it is the
  developer's unsold or undelivered stock, for the headcount of an owners' vote.

最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第九条:
"业主人数，按照专有部分的数量计算，一个专有部分按一人计算。但建设单位尚未出售和虽已出售但
尚未交付的部分，以及同一买受人拥有一个以上专有部分的，按一人计算。"
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Household

from ._common import PERSON

#: Default "large amount" of maintenance-fund use (yuan) until the community sets one.
DEFAULT_LARGE_FUND_AMOUNT = Decimal("50000.00")


class MeetingsPolicy(models.Model):
    """Per-compound settings of public participation (one row per compound, optional)."""

    compound = models.OneToOneField(
        Compound, on_delete=models.CASCADE, related_name="meetings_policy"
    )
    public_to_visitors = models.BooleanField(
        _("public meeting pages open to visitors"), default=False
    )
    large_fund_amount = models.DecimalField(
        _("large maintenance-fund use from (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=DEFAULT_LARGE_FUND_AMOUNT,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    updated_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participation settings")
        verbose_name_plural = _("participation settings")

    def __str__(self) -> str:
        return str(self.compound_id)

    @classmethod
    def for_compound(cls, compound) -> MeetingsPolicy:
        """The stored row, or an unsaved one with the defaults."""
        pk = getattr(compound, "pk", compound)
        return cls.objects.filter(compound_id=pk).first() or cls(compound_id=pk)


class UnitOwnership(models.Model):
    """The register line of one exclusive unit (专有部分).

    ``owner`` is the registered owner's account when there is one; ``holder_ref`` identifies
    one buyer across units when the owner has no account (e.g. the certificate holder's
    number, staff-only). ``developer_stock`` marks the developer's unsold or sold but
    undelivered units: all of them together count as one owner (司法解释 第九条).
    """

    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="ownership", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered owner"),
    )
    holder_name = models.CharField(_("holder as registered"), max_length=100, blank=True)
    holder_ref = models.CharField(_("holder reference"), max_length=40, blank=True)
    developer_stock = models.BooleanField(
        _("developer's unsold or undelivered unit"), default=False
    )
    updated_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unit ownership")
        verbose_name_plural = _("unit ownership register")

    def __str__(self) -> str:
        return f"{self.household_id}: {self.owner_key}"

    @property
    def owner_key(self) -> str:
        """Who counts as one owner (司法解释 第九条)."""
        if self.developer_stock:
            return "developer"
        if self.owner_id:
            return f"person:{self.owner_id}"
        if self.holder_ref.strip():
            return f"ref:{self.holder_ref.strip().upper()}"
        return f"unit:{self.household_id}"
