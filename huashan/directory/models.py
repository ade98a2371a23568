"""Who is who: places, organizations, people and their roles.

Places nest Street → Community → Compound → Building → Household. Every later
record belongs to a compound (or a community / street for higher-level ones).
Organizations are the bodies the seed names (三方, party organizations, the
joint-meeting office, street bodies); a person's power in the portal comes
only from a current :class:`Membership` in one of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan.core.models import Event

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$",
    _("Enter an 11-digit mainland mobile number, e.g. 13812345678. / 请输入11位手机号码。"),
)


class Street(models.Model):
    """街道 (e.g. 江夏经济开发区): approves evaluations, receives 街道吹哨."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """社区 (e.g. 普安社区)."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    """小区 (e.g. 江南花山郡): the unit every complaint, meeting and disclosure belongs to."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("compound")
    )
    number = models.CharField(_("building number"), max_length=20, help_text=_("e.g. 3栋"))
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ("compound", "sort_key", "number")
        constraints = [
            models.UniqueConstraint(fields=("compound", "number"), name="building_unique_number")
        ]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.compound.name} {self.number}"

    def save(self, *args, **kwargs):
        digits = "".join(ch for ch in self.number if ch.isdigit())
        self.sort_key = int(digits) if digits else 0
        super().save(*args, **kwargs)


class Household(models.Model):
    """One dwelling (户). ``area`` (m²) weighs owners' votes (Civil Code art. 278)."""

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="households", verbose_name=_("building")
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. 1单元"))
    room = models.CharField(_("room"), max_length=20, help_text=_("e.g. 1502"))
    area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        ordering = ("building", "unit", "room")
        constraints = [
            models.UniqueConstraint(
                fields=("building", "unit", "room"), name="household_unique_address"
            )
        ]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{self.building.number}{self.unit}{self.room}"

    @property
    def compound(self) -> Compound:
        return self.building.compound


class Organization(models.Model):
    """A body named by the rules. Its scope is a street, a community or a compound."""

    class Kind(models.TextChoices):
        STREET_OFFICE = "street_office", _("Street office (街道办/党工委)")
        STREET_PMC = (
            "street_pmc",
            _("Street property-management committee (街道物业管理专业委员会)"),
        )
        DEPARTMENT = "department", _("Government department (职能部门)")
        COMMUNITY_PARTY = "community_party", _("Community party organization (社区党组织)")
        RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee (社区居委会)")
        RC_PROPERTY_COMMITTEE = (
            "rc_property_committee",
            _("RC environment & property committee (环境和物业管理委员会)"),
        )
        COMPOUND_PARTY = "compound_party", _("Compound party organization (小区党组织)")
        PMC = "pmc", _("Property management committee (物业管理委员会)")
        PROPERTY_COMPANY = "property_company", _("Property company (物业服务企业)")
        JOINT_MEETING_OFFICE = "joint_meeting_office", _("Joint-meeting office (联席会议办公室)")

    # Which level of place each kind belongs to.
    STREET_KINDS = frozenset({Kind.STREET_OFFICE, Kind.STREET_PMC, Kind.DEPARTMENT})
    COMMUNITY_KINDS = frozenset(
        {Kind.COMMUNITY_PARTY, Kind.RESIDENTS_COMMITTEE, Kind.RC_PROPERTY_COMMITTEE}
    )
    COMPOUND_KINDS = frozenset(
        {Kind.COMPOUND_PARTY, Kind.PMC, Kind.PROPERTY_COMPANY, Kind.JOINT_MEETING_OFFICE}
    )
    # 三方 (seed: 联席会议议事规则, preamble).
    THREE_PARTIES = (Kind.RESIDENTS_COMMITTEE, Kind.PMC, Kind.PROPERTY_COMPANY)

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    phone = models.CharField(_("public phone"), max_length=32, blank=True)
    webhook_url = models.URLField(
        _("group-robot webhook URL"),
        blank=True,
        help_text=_("Notifications to this organization are POSTed here as JSON."),
    )

    class Meta:
        ordering = ("kind", "name")
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                name="organization_has_one_scope",
                condition=(
                    Q(street__isnull=False, community__isnull=True, compound__isnull=True)
                    | Q(street__isnull=True, community__isnull=False, compound__isnull=True)
                    | Q(street__isnull=True, community__isnull=True, compound__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> Street | Community | Compound:
        return self.compound or self.community or self.street


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, mobile: str, password: str | None = None, **extra):
        if not mobile:
            raise ValueError("mobile is required")
        person = self.model(mobile=mobile, **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, mobile: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """A user of the portal; logs in with a mainland mobile number."""

    mobile = models.CharField(
        _("mobile number"), max_length=11, unique=True, validators=[mobile_validator]
    )
    name = models.CharField(_("real name"), max_length=50)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Django admin only; portal powers come from memberships."),
    )
    is_party_member = models.BooleanField(_("party member (党员)"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    households = models.ManyToManyField(
        Household, through="Residency", related_name="residents", blank=True
    )

    objects = PersonManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ("name",)
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_mobile})"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


def mask_mobile(mobile: str) -> str:
    """138****1234 — how phone numbers appear on public pages (PIPL)."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_name(name: str) -> str:
    """张** — how names appear on public pages (PIPL)."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


class Residency(models.Model):
    """A person's claim on a household; staff verify it (owner or tenant)."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("Owner (业主)")
        FAMILY = "family", _("Family member (家庭成员)")
        TENANT = "tenant", _("Tenant (租户)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.REJECTED},
        Status.VERIFIED: {Status.REJECTED},
        Status.REJECTED: {Status.VERIFIED},
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residencies")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residencies")
    relation = models.CharField(
        _("relation"), max_length=16, choices=Relation.choices, default=Relation.OWNER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("person", "household"), name="residency_unique")
        ]
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.household}"

    @property
    def is_verified_owner(self) -> bool:
        return self.status == self.Status.VERIFIED and self.relation == self.Relation.OWNER


class ResidencyEvent(Event):
    residency = models.ForeignKey(Residency, on_delete=models.CASCADE, related_name="events")

    # Every verb huashan/directory/services.py, huashan/accounts/services.py and seed_demo write.
    VERB_LABELS: ClassVar[dict] = {
        "registered": pgettext_lazy("event", "Registered and claimed the household"),
        "verify": pgettext_lazy("event", "Verified as a resident"),
        "reject": pgettext_lazy("event", "Claim not accepted"),
        "roster_import": pgettext_lazy("event", "Imported from the owners' roster"),
        "seed_demo": pgettext_lazy("event", "Demo data"),
    }
    STATE_LABELS: ClassVar[dict] = dict(Residency.Status.choices)


class MembershipQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class Membership(models.Model):
    """A person's seat in an organization for a term: the source of every role."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary (书记)")
        CHAIR = "chair", _("Chair / director (主任)")
        MEMBER = "member", _("Member (委员)")
        STAFF = "staff", _("Staff (工作人员)")
        GRID_WORKER = "grid_worker", _("Grid worker (网格员)")
        COMMUNITY_LAWYER = "community_lawyer", _("Community lawyer (社区律师)")
        #: 在职党员干部 sent down (下沉) to serve the community: they attend the joint meeting
        #: as observers (联席会议议事规则 第三条 "可列席会议的人员包括……下沉党员干部").
        SENT_DOWN_CADRE = "sent_down_cadre", _("Cadre sent down to the community (下沉党员干部)")
        QUALITY_SUPERVISOR = "quality_supervisor", _("Volunteer quality supervisor (义务质量总监)")
        OWNER_REPRESENTATIVE = "owner_representative", _("Owner representative (业主代表)")
        RESIDENT_GROUP_LEADER = "resident_group_leader", _("Resident group leader (居民小组长)")
        PARTY_MEMBER = "party_member", _("Party member (党员)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("title shown publicly"), max_length=64, blank=True)
    start = models.DateField(_("term start"), default=timezone.localdate)
    end = models.DateField(_("term end"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ("organization", "role", "person")
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_end_after_start",
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
            )
        ]
        indexes = [models.Index(fields=("person", "end"))]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.organization} · {self.get_role_display()}"


from huashan.directory.delegation import ChairDelegation, ChairDelegationEvent  # noqa: E402, F401
