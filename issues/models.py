"""Residents' complaints (居民反映问题) and the three-tier process that resolves them.

seed: 协同联动解决小区事务流程 第一—七条 (三事分流: 小事自办、大事联办、难事跟办;
社区吹哨、党员报到; 街道吹哨、部门报到; 历史遗留), 公示承诺制度 第一条 (progress of
residents' issues is public), and the response pledges of both pledge letters
(response, progress feedback, a plan for complex matters, hazards fixed: the numbers
live in ``huashan.workdays``).

Deadlines are computed once by ``huashan/workdays.py`` and stored in indexed
columns; beat scans claim due rows and write :class:`IssueAlarm` rows whose
unique constraint makes a second scan a no-op.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.models import AlarmStage, Event
from huashan.directory.models import Building, Compound, Organization, Person


class Category(models.Model):
    """What the complaint is about; editable in admin. ``code`` is the Open311 service_code."""

    code = models.SlugField(_("code"), unique=True, max_length=40)
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    safety_related = models.BooleanField(
        _("safety related"),
        default=False,
        help_text=_("New issues in this category are flagged as safety hazards by default."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("sort_order", "code")
        verbose_name = _("issue category")
        verbose_name_plural = _("issue categories")

    def __str__(self) -> str:
        return self.name


class ClockPolicy(models.Model):
    """A compound's own deadline parameters, set in the admin.

    Without a row the compound follows the pledges' numbers, read at run time from their
    one source (``huashan.workdays``: ``RESPONSE_48H``, ``FEEDBACK_7_WORKING_DAYS``,
    ``PLAN_7_DAYS``, ``HAZARD_3_DAYS``, ``LEGACY_EXPLANATION_30_DAYS`` and the project's
    ``WARN_BEFORE_HOURS``, ``AUTO_CLOSE_DAYS``, ``REOPEN_DAYS``); the field defaults below
    are read from there too. ``issues.services.clocks.clock_policy_for`` never creates a row.
    """

    compound = models.OneToOneField(
        Compound, on_delete=models.CASCADE, related_name="issue_clock_policy"
    )
    response_hours = models.PositiveSmallIntegerField(
        _("response within (hours)"),
        default=workdays.RESPONSE_48H.amount,
        validators=[MinValueValidator(1)],
    )
    feedback_working_days = models.PositiveSmallIntegerField(
        _("progress feedback every (working days)"),
        default=workdays.FEEDBACK_7_WORKING_DAYS.amount,
        validators=[MinValueValidator(1)],
    )
    plan_days = models.PositiveSmallIntegerField(
        _("plan for complex issues within (days)"),
        default=workdays.PLAN_7_DAYS.amount,
        validators=[MinValueValidator(1)],
    )
    hazard_days = models.PositiveSmallIntegerField(
        _("safety hazard fixed within (days)"),
        default=workdays.HAZARD_3_DAYS.amount,
        validators=[MinValueValidator(1)],
    )
    warn_before_hours = models.PositiveSmallIntegerField(
        _("warn the responsible party this many hours before a deadline"),
        default=workdays.WARN_BEFORE_HOURS,
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close automatically this many days after resolution without objection"),
        default=workdays.AUTO_CLOSE_DAYS,
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("the reporter may reopen within (days)"), default=workdays.REOPEN_DAYS
    )
    legacy_explanation_days = models.PositiveSmallIntegerField(
        _("legacy issues: explain to residents every (days)"),
        default=workdays.LEGACY_EXPLANATION_30_DAYS.amount,
    )

    class Meta:
        verbose_name = _("issue clock policy")
        verbose_name_plural = _("issue clock policies")

    def __str__(self) -> str:
        return f"{self.compound}: {self.response_hours}h / {self.feedback_working_days}wd"


class Issue(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        TRANSFERRED = "transferred", _("Transferred")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_REPORTER = "waiting_reporter", _("Waiting for the reporter")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into another issue")

    OPEN_STATES = (
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.TRANSFERRED,
        Status.IN_PROGRESS,
        Status.WAITING_REPORTER,
    )
    # One service per transition (issues/services.py); the mapping guards them.
    TRANSITIONS = {
        Status.SUBMITTED: {
            Status.ACCEPTED,
            Status.REJECTED,
            Status.MERGED,
            Status.WAITING_REPORTER,
        },
        Status.ACCEPTED: {
            Status.TRANSFERRED,
            Status.IN_PROGRESS,
            Status.WAITING_REPORTER,
            Status.RESOLVED,
            Status.REJECTED,
            Status.MERGED,
        },
        Status.TRANSFERRED: {
            Status.IN_PROGRESS,
            Status.TRANSFERRED,
            Status.WAITING_REPORTER,
            Status.RESOLVED,
        },
        Status.IN_PROGRESS: {Status.TRANSFERRED, Status.WAITING_REPORTER, Status.RESOLVED},
        Status.WAITING_REPORTER: {Status.IN_PROGRESS, Status.REJECTED, Status.RESOLVED},
        Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},  # reopen → in progress
        Status.CLOSED: {Status.IN_PROGRESS},  # reopen within reopen_days
        Status.REJECTED: set(),
        Status.MERGED: set(),
    }

    class Tier(models.TextChoices):
        SMALL = "small", _("Small matter, fixed by the responsible party (小事自办)")
        BIG = "big", _("Big matter, handled jointly (大事联办)")
        HARD = "hard", _("Hard matter, escalated (难事跟办)")
        LEGACY = "legacy", _("Legacy matter (历史遗留)")

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="issues", verbose_name=_("compound")
    )
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="issues", verbose_name=_("category")
    )
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        verbose_name=_("building"),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    location_text = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("Common area or free text")
    )
    description = models.TextField(_("description"), max_length=2000)
    is_public = models.BooleanField(_("may be shown on the public board"), default=True)
    is_hazard = models.BooleanField(_("safety hazard"), default=False, db_index=True)
    #: 重大隐患 (小区党组织服务承诺 第7条 "重大隐患即时上报并全程跟踪"): reported at once to the
    #: community party organization and the street, who follow it to closure.
    hazard_major = models.BooleanField(_("major safety hazard"), default=False)
    hazard_reported_at = models.DateTimeField(
        _("major hazard reported upwards"), null=True, blank=True
    )
    is_complex = models.BooleanField(_("complex (needs a solution plan)"), default=False)
    tier = models.CharField(
        _("tier"), max_length=10, choices=Tier.choices, default=Tier.SMALL, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )

    # Reporter. Shielded from the party complained about unless share_identity.
    reporter = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_issues",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=11, blank=True)
    share_identity = models.BooleanField(_("the responsible party may see who I am"), default=False)
    # Anonymous reporters follow the issue with a code; only its hash is stored.
    tracking_code_hash = models.CharField(max_length=128, blank=True)
    hotline_number = models.CharField(
        _("12345 hotline work-order number"), max_length=40, blank=True
    )

    assigned_org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_issues",
        verbose_name=_("responsible organization"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_issues"
    )
    consultation_result = models.TextField(
        _("consultation result of the three parties (三方协商落实意见)"), blank=True
    )
    public_explanation = models.TextField(
        _("public explanation"),
        blank=True,
        help_text=_("Required when the issue is resolved, closed or rejected."),
    )

    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set while waiting for the reporter: clocks pause.")
    )
    last_public_update_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)

    # Deadlines: absolute, computed once by huashan/workdays.py, indexed for the scans.
    response_due = models.DateTimeField(null=True, blank=True)
    feedback_due = models.DateTimeField(null=True, blank=True)
    plan_due = models.DateTimeField(null=True, blank=True)
    hazard_due = models.DateTimeField(null=True, blank=True)
    plan_given_at = models.DateTimeField(null=True, blank=True)
    # The earliest still-running deadline, denormalised so queues sort and scans
    # select on one indexed column (healthchecks' ``alert_after``).
    next_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    # The deadline scan's bookmark (healthchecks' ``alert_after``): when the scan has
    # something to do for this issue's clocks again (the next warning or breach). NULL:
    # not looked at since the clocks last changed (``_refresh_next_deadline`` clears it);
    # ``ALARMS_SETTLED``: every running clock is breached and alarmed. An idle rerun of
    # the scan therefore selects nothing.
    alarm_recheck_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A random key issued with the filing form: a repeated POST (a phone retrying after a
    # broken connection) finds this issue instead of filing a second one.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        constraints = [
            models.UniqueConstraint(fields=("idempotency_key",), name="issue_idempotency_key_once")
        ]
        indexes = [
            models.Index(fields=("compound", "status", "-created_at")),
            # The public board's newest-first page (bench analysis 2026-11-28).
            models.Index(
                fields=("compound", "-created_at"),
                condition=Q(is_public=True),
                name="issue_public_board_idx",
            ),
            models.Index(fields=("assigned_org", "status", "next_deadline")),
            models.Index(
                fields=("next_deadline",),
                condition=Q(paused_at__isnull=True),
                name="issue_running_clock_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


#: ``Issue.alarm_recheck_at`` when nothing is left to alarm until the clocks change.
ALARMS_SETTLED = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


class IssueEvent(Event):
    """One row per state change or note; ``public`` rows form the resident's timeline.

    Timelines show :attr:`verb_label` / :attr:`phrase`, never the verb: every verb
    ``issues/services.py`` (and the demo seed) writes has its phrase here
    (docs/glossary.md: events are shown as Chinese phrases; issue 13 item 8).
    """

    VERB_LABELS: ClassVar[dict] = {
        "submit": _("Submitted"),
        "me_too": _("Another resident: me too"),
        "accept": _("Accepted"),
        "transfer": _("Transferred"),
        "start": _("Work started"),
        "progress": _("Progress update"),
        "wait_for_reporter": _("Question to the reporter"),
        "reporter_reply": _("The reporter replied"),
        "plan": _("Solution plan"),
        "resolve": _("Resolved"),
        "confirm": _("Confirmed by the reporter"),
        "auto_close": _("Closed automatically"),
        "reopen": _("Reopened"),
        "reject": _("Rejected"),
        "merge": _("Merged into another issue"),
        "merged_in": _("A duplicate was merged in"),
        "tier": _("Tier changed"),
        "hazard": _("Safety-hazard flag changed"),
        "consultation": _("Consultation result of the three parties"),
        "referral_ack": _("Referral acknowledged"),
        "whistle_community": _("Community whistle blown (社区吹哨)"),
        "whistle_street": _("Street whistle blown (街道吹哨)"),
        "report_in": _("Reported in (报到)"),
        "summons_rated": _("Response rated"),
        "supervision_order": _("Supervision order (督办)"),
        "rate": _("Rated by the reporter"),
        "deadline_breached": _("Deadline missed"),
        "deadline_warning": _("Deadline approaching"),
        "seed_issues": _("Demo data"),  # issues/management/commands/seed_issues.py MARKER
    }
    STATE_LABELS: ClassVar[dict] = dict(Issue.Status.choices)

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    public = models.BooleanField(default=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


def issue_photo_path(instance: IssuePhoto, filename: str) -> str:
    # Never reuse the uploaded name: it may carry personal data or path tricks.
    return f"issues/{instance.issue.created_at:%Y/%m}/{instance.issue_id}/{instance.token}.jpg"


class IssuePhoto(models.Model):
    class Stage(models.TextChoices):
        REPORT = "report", _("With the report")
        RESOLUTION = "resolution", _("Proof of resolution")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.REPORT)
    token = models.CharField(max_length=32, unique=True)
    image = models.ImageField(upload_to=issue_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("uploaded_at", "pk")

    def __str__(self) -> str:
        return f"{self.issue_id}/{self.token}"


class MeToo(models.Model):
    """A resident who has the same problem adds weight instead of filing a duplicate."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="me_toos")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE)
    phone = models.CharField(max_length=11, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("issue", "person"),
                condition=Q(person__isnull=False),
                name="metoo_once_per_person",
            ),
            models.UniqueConstraint(
                fields=("issue", "phone"), condition=~Q(phone=""), name="metoo_once_per_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"+1 {self.issue_id}"


class Referral(models.Model):
    """One step of the three-tier route, assigned to an organization (seed: 协同联动 第二—四条).

    Each referral has its own acknowledgement deadline and time.
    """

    class Purpose(models.TextChoices):
        FIX = "fix", _("Fix it (转办)")
        SUPERVISE = "supervise", _("Supervise (督办)")
        FILE = "file", _("For the record (备档)")
        INVESTIGATE = "investigate", _("Joint investigation (联合调查)")
        DECIDE = "decide", _("Receive the proposal and decide (报居委会处理)")
        REPORT = "report", _("Major hazard reported, followed to closure (重大隐患上报)")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="referrals")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    ack_due = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.organization_id} ({self.purpose})"


class Whistle(models.Model):
    """社区吹哨、党员报到 / 街道吹哨、部门报到 (seed: 协同联动 第三条, 第四条)."""

    class Level(models.TextChoices):
        COMMUNITY = "community", _("Community whistle (社区吹哨、党员报到)")
        STREET = "street", _("Street whistle (街道吹哨、部门报到)")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="whistles")
    level = models.CharField(max_length=12, choices=Level.choices)
    blown_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    blown_at = models.DateTimeField(default=timezone.now)
    report_due = models.DateTimeField(db_index=True)
    reason = models.TextField()

    class Meta:
        ordering = ("blown_at", "pk")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.issue_id}"


class WhistleSummons(models.Model):
    """An organization (or party member) summoned by a whistle; must report in (报到)."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contribution = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="summons_org_or_person",
                condition=Q(organization__isnull=False) | Q(person__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id}: {self.organization_id or self.person_id}"


class SupervisionOrder(models.Model):
    """督办: a supervisor orders the responsible party to act by a deadline."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="supervision_orders")
    issued_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    due = models.DateTimeField(db_index=True)
    instruction = models.TextField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"督办 {self.issue_id} by {self.due:%Y-%m-%d}"


class IssueAlarm(models.Model):
    """A deadline warning or breach, written once per (issue, clock, stage, due)."""

    class Clock(models.TextChoices):
        # No numbers here: they live in huashan.workdays (one source).
        RESPONSE = "response", _("Response deadline")
        FEEDBACK = "feedback", _("Progress feedback deadline")
        PLAN = "plan", _("Solution plan deadline")
        HAZARD = "hazard", _("Hazard fix deadline")
        SUPERVISION = "supervision", _("Supervision order")
        WHISTLE = "whistle", _("Whistle report-in")
        REFERRAL = "referral", _("Referral acknowledgement")

    Stage = AlarmStage

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="alarms")
    clock = models.CharField(max_length=12, choices=Clock.choices)
    stage = models.CharField(max_length=8, choices=Stage.choices)
    due = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("issue", "clock", "stage", "due"), name="issue_alarm_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.clock} {self.stage}"


class Satisfaction(models.Model):
    """The reporter's three answers on resolution (seed: 评议监督考核制度 第四条 inputs)."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied (满意)")
        BASIC = "basic", _("Basically satisfied (基本满意)")
        UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")

    issue = models.OneToOneField(Issue, on_delete=models.CASCADE, related_name="satisfaction")
    contacted = models.BooleanField(_("were you contacted?"))
    solved = models.BooleanField(_("is it solved?"))
    rating = models.CharField(_("how satisfied are you?"), max_length=12, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.rating}"


class ResponseTemplate(models.Model):
    """Reusable wording for progress notes, per organization (or shared when empty)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=60)
    body = models.TextField()

    def __str__(self) -> str:
        return self.title


class Open311Client(models.Model):
    """An API key for Open311 POSTs (GeoReport v2 ``api_key``)."""

    name = models.CharField(max_length=100)
    api_key = models.CharField(max_length=64, unique=True)
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class TrackingSequence(models.Model):
    """Per-year counter for ``HS-YYYY-NNNNNN`` numbers, incremented under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


from issues.legacy import (  # noqa: E402, F401  (协同联动 第五条)
    JointExplanation,
    JointExplanationConfirmation,
    LegacyReport,
)
