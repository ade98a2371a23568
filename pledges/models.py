"""Pledge letters (承诺书), their measurable items, evidence and accountability.

seed: 小区党组织服务承诺 (10 items), 物业管理委员会服务承诺 (10 items and 问责退出),
公示承诺制度 第四条 (候选人"三诺"; letters and pledges are published, 长期公示),
决策报告制度 第四条 (义务质量总监 patrols).

Every item carries a *rule* (``rule_kind`` + ``params``) that the compliance
engine (``pledges/engine.py``) evaluates per period from evidence read through
the owning modules' selectors. Results are stored as :class:`PeriodResult`
rows; a result whose period has closed is ``final`` and is never recomputed,
so history stays stable when an item is edited later.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan.core.models import AlarmStage, Event
from huashan.directory.models import Compound, Organization, Person


class RuleKind(models.TextChoices):
    COUNT_PER_PERIOD = "count_per_period", _("Count per period")
    DEADLINE_RATE = (
        "deadline_rate",
        pgettext_lazy("pledge rule", "Share of complaints handled within a deadline"),
    )
    DISCLOSURE_ON_TIME = "disclosure_on_time", _("Disclosures published on time")
    RATE_THRESHOLD = "rate_threshold", _("Rate at or above a threshold")
    ONE_OFF_BY_DATE = "one_off_by_date", _("Done once by a date")
    EVALUATION_THRESHOLD = "evaluation_threshold", _("Evaluation score at or above a threshold")
    ATTESTED = "attested", _("Attested by a reviewer")


class ResultStatus(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")
    ATTESTED = "attested", _("Attested")


class PledgeLetter(models.Model):
    """One organization's service-pledge letter for a year (长期公示: 公示承诺制度 第四条)."""

    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="pledge_letters",
        verbose_name=_("compound"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pledge_letters",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    letterhead = models.CharField(_("letterhead"), max_length=200, blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    closing = models.TextField(_("closing text"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The disclosure row on the board (disclosures app); an id, not a FK, so this
    # app does not depend on the disclosures schema.
    disclosure_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The printable letter with each item's status, rendered by Celery (pledges/tasks.py).
    pdf = models.FileField(upload_to="pledges/letters/", blank=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-year", "organization__kind", "pk")
        verbose_name = _("pledge letter")
        verbose_name_plural = _("pledge letters")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "year"), name="pledge_letter_one_per_org_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class PledgeItem(models.Model):
    """One promise of a letter, with the rule that measures it."""

    letter = models.ForeignKey(PledgeLetter, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("Empty for an unnumbered section.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    section = models.CharField(_("section"), max_length=200, blank=True)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    rule_kind = models.CharField(
        _("rule"), max_length=32, choices=RuleKind.choices, default=RuleKind.ATTESTED
    )
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    responsible_org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organization"),
        help_text=_("Empty: the organization of the letter."),
    )
    warn_lead_days = models.PositiveSmallIntegerField(
        _("warn this many days before the period ends"), default=7
    )
    active = models.BooleanField(_("measured"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("letter", "position", "number", "pk")
        verbose_name = _("pledge item")
        verbose_name_plural = _("pledge items")
        constraints = [
            models.UniqueConstraint(
                fields=("letter", "number"),
                condition=Q(number__isnull=False),
                name="pledge_item_unique_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or '·'}. {self.heading or self.text[:20]}"

    @property
    def responsible(self) -> Organization:
        return self.responsible_org or self.letter.organization


class PeriodResult(models.Model):
    """The status of one item for one period; ``final`` rows are never recomputed."""

    item = models.ForeignKey(PledgeItem, on_delete=models.CASCADE, related_name="results")
    # 0 = the item's main rule; 1.. = ``params["also"][n-1]`` (an item with two promises,
    # e.g. 第5条: monthly study *and* two trainings a year).
    measure = models.PositiveSmallIntegerField(_("measure"), default=0)
    label = models.CharField(_("what is measured"), max_length=200, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (last day)"))
    status = models.CharField(_("status"), max_length=16, choices=ResultStatus.choices)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    evidence = models.JSONField(
        _("evidence links"), default=list, blank=True, help_text=_("[{label, url}]")
    )
    final = models.BooleanField(_("final"), default=False, db_index=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ("item", "measure", "period_start")
        verbose_name = _("period result")
        verbose_name_plural = _("period results")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "measure", "period_start"), name="period_result_unique"
            )
        ]
        indexes = [models.Index(fields=("status", "period_end"))]

    def __str__(self) -> str:
        return f"{self.item_id} {self.period_start}–{self.period_end} {self.status}"

    @property
    def summary(self) -> str:
        """The figures in one line for pages and PDFs (e.g. "2 / 1", "90.0 % (≥ 90 %)")."""
        f = self.figures or {}
        if f.get("source_unavailable"):
            return str(_("No evidence source yet"))
        if "members" in f:
            return str(
                _("%(done)d of %(total)d members")
                % {"done": f.get("members_met", 0), "total": f["members"]}
            )
        if "judgement" in f:
            return str(_("Kept") if f["judgement"] == "met" else _("Not kept"))
        if "percent" in f:
            if f["percent"] is None:
                return str(_("No cases yet"))
            return f"{f['percent']:g} % (≥ {f.get('threshold', 0):g} %)"
        if "count" in f:
            return f"{f['count']} / {f.get('target', 0)}"
        return ""


class PledgeAlarm(models.Model):
    """A warning before a period ends or a miss notice; unique so it is sent once."""

    Kind = AlarmStage

    item = models.ForeignKey(PledgeItem, on_delete=models.CASCADE, related_name="alarms")
    measure = models.PositiveSmallIntegerField(default=0)
    period_start = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    run_token = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("item", "measure", "period_start", "kind"), name="pledge_alarm_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} {self.period_start}"


class Attestation(models.Model):
    """A reviewer's judgement with evidence, for items the system cannot measure."""

    class Judgement(models.TextChoices):
        MET = "met", _("Kept")
        MISSED = "missed", _("Not kept")

    item = models.ForeignKey(PledgeItem, on_delete=models.CASCADE, related_name="attestations")
    measure = models.PositiveSmallIntegerField(default=0)
    period_start = models.DateField()
    judgement = models.CharField(_("judgement"), max_length=8, choices=Judgement.choices)
    evidence = models.TextField(_("evidence"))
    value = models.DecimalField(
        _("measured value (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reviewer = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("item", "measure", "period_start"), name="attestation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.period_start} {self.judgement}"


# --- evidence kept here -------------------------------------------------------


class Activity(models.Model):
    """A volunteer service, study session, training, neighbourhood or cultural activity.

    seed: 小区党组织服务承诺 第4、5、9条; 物业管理委员会服务承诺 第8条.
    """

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer service")
        STUDY = "study", _("Study session")
        TRAINING = "training", _("Training")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood activity")
        CULTURAL = "cultural", _("Cultural activity")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"), db_index=True)
    description = models.TextField(_("description"), blank=True)
    participants = models.ManyToManyField(Person, blank=True, related_name="+")
    participant_count = models.PositiveIntegerField(
        _("number of participants"), default=0, help_text=_("Including people without an account.")
    )
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-held_on", "pk")
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=("compound", "kind", "held_on"))]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


def activity_photo_path(instance: ActivityPhoto, filename: str) -> str:
    return f"pledges/activities/{instance.activity_id}/{instance.token}.jpg"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True)
    image = models.ImageField(upload_to=activity_photo_path)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.token


class CareService(models.Model):
    """A convenience service for residents provided together with the property company.

    seed: 小区党组织服务承诺 第9条 "联动物业提供独居老人关爱、儿童托管等便民服务". The seed
    sets no number for these, so none is measured against a target: the pledge evidence
    page shows what was provided in the year.
    """

    class Kind(models.TextChoices):
        ELDERLY_CARE = "elderly_care", _("Care for elderly people living alone")
        CHILDCARE = "childcare", _("Childcare")
        OTHER = "other", _("Other convenience service")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    description = models.CharField(_("what was provided"), max_length=200)
    served_on = models.DateField(_("date"), db_index=True)
    households_served = models.PositiveIntegerField(_("households served"))
    # 联动物业: the property company took part (always, when it is the organizer).
    with_company = models.BooleanField(_("the property company took part"), default=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-served_on", "pk")
        verbose_name = _("care service")
        verbose_name_plural = _("care services")
        indexes = [models.Index(fields=("compound", "served_on"))]

    def __str__(self) -> str:
        return f"{self.served_on} {self.get_kind_display()}"


class InspectionArea(models.TextChoices):
    """What an inspection checked (小区党组织服务承诺 第7条 "消防、电梯等设施")."""

    FIRE = "fire", _("Fire safety installations")
    ELEVATOR = "elevator", _("Elevators")
    WATER_POWER = "water_power", _("Water and power supply")
    GAS = "gas", _("Gas")
    STAIRWELLS = "stairwells", _("Stairwells and exits")
    OTHER = "other", _("Other")


#: The areas every quarter's safety inspections must cover (第7条 "消防、电梯等设施的全面排查").
REQUIRED_SAFETY_AREAS = (InspectionArea.FIRE, InspectionArea.ELEVATOR)


class Inspection(models.Model):
    """An inspection with findings.

    seed: 物业管理委员会服务承诺 第9条 (每月联合业主代表检查), 小区党组织服务承诺 第7条
    (每季度消防、电梯排查), 决策报告制度 第四条 (义务质量总监 定期开展监督检查).
    """

    class Kind(models.TextChoices):
        MONTHLY_SERVICE = "monthly_service", _("Monthly service inspection")
        QUARTERLY_SAFETY = "quarterly_safety", _("Quarterly safety inspection")
        SUPERVISOR_PATROL = "supervisor_patrol", _("Quality supervisor patrol")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("conducted by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    inspected_on = models.DateField(_("date"), db_index=True)
    # Codes of :class:`InspectionArea`; "other" is described in ``areas_other``.
    areas = models.JSONField(_("areas checked"), default=list, blank=True)
    areas_other = models.CharField(_("other areas checked"), max_length=200, blank=True)
    inspector = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("inspector")
    )
    owner_representatives = models.ManyToManyField(Person, blank=True, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-inspected_on", "pk")
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=("compound", "kind", "inspected_on"))]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.get_kind_display()}"

    @property
    def area_labels(self) -> list[str]:
        """The areas checked in words ("other" as what was typed)."""
        labels = dict(InspectionArea.choices)
        other = InspectionArea.OTHER
        return [
            (self.areas_other or labels[code]) if code == other else labels[code]
            for code in self.areas
            if code in labels
        ]


class PatrolOpinion(models.Model):
    """An owner's opinion heard on the quality supervisor's patrol, and the company's answer.

    seed: 决策报告制度 第四条 "收集整理检查中发现的问题以及业主对物业服务工作的意见、建议，
    向物业服务企业提出整改意见和建议". The supervisor records it on their patrol; the property
    company, whose service it is about, says what became of it. No personal data is kept
    beyond a name the owner agreed to give (optional) and where they live (building, unit).
    """

    class Disposition(models.TextChoices):
        PENDING = "pending", _("Not yet handled")
        ADOPTED = "adopted", _("Adopted")
        ANSWERED = "answered", _("Answered")
        REFERRED = "referred", _("Referred")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="owner_opinions"
    )
    content = models.TextField(_("opinion"))
    building = models.ForeignKey(
        "directory.Building",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("building"),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    owner_name = models.CharField(_("owner's name (given with consent)"), max_length=50, blank=True)
    disposition = models.CharField(
        _("disposition"),
        max_length=16,
        choices=Disposition.choices,
        default=Disposition.PENDING,
        db_index=True,
    )
    reply = models.TextField(_("reply"), blank=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # 转办: the complaint of the compound the opinion was filed as when it was referred.
    issue = models.ForeignKey(
        "issues.Issue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("complaint"),
    )
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("inspection", "created_at", "pk")
        verbose_name = _("owner's opinion on a patrol")
        verbose_name_plural = _("owners' opinions on patrols")

    def __str__(self) -> str:
        return self.content[:40]


class Finding(models.Model):
    """A problem found in an inspection, with its rectification deadline and proof of fix."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    description = models.TextField(_("problem found"))
    is_safety = models.BooleanField(_("safety hazard"), default=False)
    # 第7条 "重大隐患即时上报并全程跟踪": a major finding becomes a hazard complaint marked
    # major at once (``escalated_issue``), reported to the community party organization and
    # the street; its 3-day fix deadline is the same as any safety finding's.
    major = models.BooleanField(_("major safety hazard"), default=False)
    rectify_due = models.DateTimeField(_("rectify by"), db_index=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    fix_proof = models.TextField(_("proof of fix"), blank=True)
    fix_photo = models.ImageField(upload_to="pledges/findings/", blank=True)
    # The complaint the finding became: at once when major, else when a safety finding
    # stayed unfixed past its deadline.
    escalated_issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("rectify_due", "pk")
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(
                fields=("rectify_due",),
                condition=Q(fixed_at__isnull=True, escalated_at__isnull=True, is_safety=True),
                name="finding_unfixed_safety_idx",
            )
        ]

    def __str__(self) -> str:
        return self.description[:40]


# --- 三诺 -----------------------------------------------------------------------


class Election(models.Model):
    """A PMC election whose candidates make the three pledges (公示承诺制度 第四条)."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("election date"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-held_on", "pk")
        verbose_name = _("PMC election")
        verbose_name_plural = _("PMC elections")

    def __str__(self) -> str:
        return self.title


class CandidatePledge(models.Model):
    """One of a candidate's 三诺: 参选承诺, 服务承诺, 辞职承诺."""

    class Kind(models.TextChoices):
        ELECTION_DISCIPLINE = "election_discipline", _("Pledge to keep election discipline")
        SERVICE = "service", _("Pledge to serve the residents")
        RESIGNATION = "resignation", _("Pledge to resign if not doing the job")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="pledges")
    candidate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    text = models.TextField(_("text"))
    signed_on = models.DateField(_("signed on"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("election", "candidate", "kind")
        verbose_name = _("candidate pledge")
        verbose_name_plural = _("candidate pledges")
        constraints = [
            models.UniqueConstraint(
                fields=("election", "candidate", "kind"), name="candidate_pledge_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.kind}"


# --- 问责退出 -------------------------------------------------------------------


class AccountabilityCase(models.Model):
    """A case under 物业管理委员会服务承诺 第10条 / 第4条, reviewed by the compound party org."""

    class Trigger(models.TextChoices):
        ABSENCES = "absences", _("3 consecutive unexcused absences")
        LOW_SATISFACTION = "low_satisfaction", _("Satisfaction below 60 %")
        COLLECTIVE_COMPLAINT = "collective_complaint", _("Confirmed collective complaint")
        BROKEN_PLEDGE = "broken_pledge", _("Broken pledge")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        RESIGNED = "resigned", _("Resigned")
        WARNED = "warned", _("Warned")
        NO_ACTION = "no_action", _("No action")

    TRANSITIONS = {Status.OPEN: {Status.DECIDED}, Status.DECIDED: set()}
    MANUAL_TRIGGERS = (Trigger.COLLECTIVE_COMPLAINT, Trigger.BROKEN_PLEDGE)

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    trigger = models.CharField(_("trigger"), max_length=24, choices=Trigger.choices)
    # Identifies the triggering occurrence (e.g. "satisfaction:2026"); unique per compound.
    trigger_key = models.CharField(max_length=100, blank=True)
    details = models.TextField(_("details"), blank=True)
    figures = models.JSONField(default=dict, blank=True)
    # Absence streak tracking: a live streak has exactly one case.
    streak_live = models.BooleanField(default=False)
    streak_length = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    opened_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-opened_at", "pk")
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "person"),
                condition=Q(trigger="absences", streak_live=True),
                name="accountability_one_case_per_streak",
            ),
            models.UniqueConstraint(
                fields=("compound", "person", "trigger_key"),
                condition=~Q(trigger_key=""),
                name="accountability_trigger_once",
            ),
            models.CheckConstraint(
                name="accountability_decided_has_outcome",
                condition=Q(status="open") | ~Q(outcome=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} · {self.person_id}"


class SupervisorReport(models.Model):
    """A violation the volunteer quality supervisor reports to the street and the competent
    departments (决策报告制度 第四条 "发现违法违规行为，及时向街道和主管部门报告"), tracked
    like a whistle: each body it goes to acknowledges by a deadline, and a lapse is raised."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("what was found"), max_length=4000)
    reported_at = models.DateTimeField(default=timezone.now)
    due = models.DateTimeField(_("acknowledge by"), db_index=True)
    overdue_raised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-reported_at", "pk")
        verbose_name = _("quality supervisor's report")
        verbose_name_plural = _("quality supervisor's reports")

    def __str__(self) -> str:
        return f"supervisor report #{self.pk}"


class SupervisorReportReceipt(models.Model):
    """One body a supervisor's report went to, and its acknowledgement with an answer."""

    report = models.ForeignKey(SupervisorReport, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ("report", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("report", "organization"), name="supervisor_report_receipt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.organization_id}"


class PledgeEvent(Event):
    """Timeline rows for letters, items, results, findings and accountability cases."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    letter = models.ForeignKey(
        PledgeLetter, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    item = models.ForeignKey(
        PledgeItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    case = models.ForeignKey(
        AccountabilityCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    public = models.BooleanField(default=False)

    # Every verb the pledges/services/ package and pledges/engine.py write.
    VERB_LABELS: ClassVar[dict] = {
        "letter_create": pgettext_lazy("event", "Drafted the pledge letter"),
        "letter_update": pgettext_lazy("event", "Edited the pledge letter"),
        "letter_publish": pgettext_lazy("event", "Published the pledge letter"),
        "item_create": pgettext_lazy("event", "Added a pledge item"),
        "item_update": pgettext_lazy("event", "Changed a pledge item"),
        "period_status": pgettext_lazy("event", "Fulfilment status changed"),
        "attest": pgettext_lazy("event", "A reviewer judged the fulfilment"),
        "activity_record": pgettext_lazy("event", "Recorded an activity"),
        "inspection_record": pgettext_lazy("event", "Recorded an inspection"),
        "care_service_record": pgettext_lazy("event", "Recorded a care service"),
        "finding_add": pgettext_lazy("event", "Recorded a problem found on inspection"),
        "finding_fixed": pgettext_lazy("event", "The problem was rectified"),
        "finding_escalate": pgettext_lazy(
            "event", "Not rectified in time: became a safety-hazard complaint"
        ),
        "finding_report_major": pgettext_lazy(
            "event", "Major safety hazard: reported at once to the community and the street"
        ),
        "election_create": pgettext_lazy("event", "Recorded an election"),
        "candidate_pledge": pgettext_lazy("event", "Recorded a candidate's pledges"),
        "candidate_pledges_publish": pgettext_lazy(
            "event", "Published the candidates' three pledges"
        ),
        "case_open": pgettext_lazy("event", "Opened an accountability case"),
        "case_decide": pgettext_lazy("event", "Decided the accountability case"),
        "membership_end": pgettext_lazy("event", "The member resigned: the seat has ended"),
        "supervisor_report": pgettext_lazy(
            "event", "The quality supervisor reported a violation to the street"
        ),
        "supervisor_report_ack": pgettext_lazy(
            "event", "The street or department acknowledged the supervisor's report"
        ),
        "supervisor_report_overdue": pgettext_lazy(
            "event", "The supervisor's report was not acknowledged in time"
        ),
        "patrol_opinion_record": pgettext_lazy(
            "event", "The quality supervisor recorded an owner's opinion on a patrol"
        ),
        "patrol_opinion_dispose": pgettext_lazy(
            "event", "The property company answered an owner's opinion from a patrol"
        ),
        "patrol_opinion_refer": pgettext_lazy(
            "event", "An owner's opinion from a patrol was handed over as a complaint"
        ),
    }
    STATE_LABELS: ClassVar[dict] = {
        **dict(ResultStatus.choices),
        **dict(AccountabilityCase.Status.choices),
        **dict(AccountabilityCase.Outcome.choices),
        **dict(PatrolOpinion.Disposition.choices),
        "published": pgettext_lazy("event state", "Published"),
        "on_time": pgettext_lazy("event state", "Rectified on time"),
        "late": pgettext_lazy("event state", "Rectified late"),
        "complaint": pgettext_lazy("event state", "Became a complaint"),
    }

    class Meta(Event.Meta):
        verbose_name = _("pledge event")
        verbose_name_plural = _("pledge events")
