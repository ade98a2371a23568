"""The December evaluation of the three parties and the quarterly red/black list.

seed: 评议监督考核制度 第一—五条; 小区党组织服务承诺 第10条 (红黑榜).

Anonymity design (評議 must be secret, issue 7 "scores are not linked to
identities in any result or export"; issue 14 item 2 "nothing in a dump links a
ballot to an evaluator"; docs/evaluations.md "What a database dump reveals"):

* :class:`Evaluator` is the roster row (who may score). It holds the *hash*
  of a one-time token, never the token. Its link to a :class:`Person` is
  dropped when scoring closes.
* :class:`TokenUse` is the "token used" mark: (evaluator, target), unique, and
  nothing else — no time, no link to a ballot.
* Casting a ballot writes the ``TokenUse`` marks and drops the scores into the
  holding area :class:`PendingBallot` (random key, no time, no evaluator). A
  sweep writes pending ballots into :class:`Ballot` / :class:`Score` in
  shuffled batches, a random subset at a time while a pool of
  ``BALLOT_POOL`` ballots per target stays behind, and everything when scoring
  closes. So the
  ballot rows never share a transaction (PostgreSQL ``xmin``) with the
  ``TokenUse`` marks, and neither their keys (UUIDs) nor their physical order
  follow the order people voted in.
* :class:`Ballot` holds the scores of one evaluator for one target: a random
  UUID key, the target, the channel and the *day it was recorded* only. It
  has no foreign key to an evaluator or person. :class:`Score` rows have UUID
  keys too.
* A paper ballot waits in :class:`PaperEntry` (which does point at the
  evaluator, because the slip carries the token) only until a second clerk
  confirms it; confirmation moves the scores into the holding area and blanks
  the entry's scores, so afterwards nothing joins a score to a person.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from huashan import periods
from huashan.core.models import Event
from huashan.directory.models import Community, Compound, Organization, Person


class ImmutableRowError(Exception):
    """Raised when code tries to change a submitted ballot or score."""


def default_star_thresholds() -> list[int]:
    return [60, 70, 80, 90, 95]


class Campaign(models.Model):
    """One December evaluation of a compound's three parties (评议监督考核制度 第一条)."""

    class State(models.TextChoices):
        SETUP = "setup", _("Setup")
        MATERIALS = "materials", _("Collecting materials")
        EVALUATION_MEETING = "evaluation_meeting", _("Evaluation meeting")
        SCORING = "scoring", _("Scoring")
        PRELIMINARY = "preliminary", _("Preliminary results")
        PUBLICITY = "publicity", _("Publicity (objections open)")
        APPROVED = "approved", _("Approved by the street")
        CIRCULATED = "circulated", _("Circulated")
        CLOSED = "closed", _("Closed")

    ORDER = list(State)
    TRANSITIONS = {
        State.SETUP: (State.MATERIALS,),
        State.MATERIALS: (State.EVALUATION_MEETING,),
        State.EVALUATION_MEETING: (State.SCORING,),
        State.SCORING: (State.PRELIMINARY,),
        State.PRELIMINARY: (State.PUBLICITY,),
        State.PUBLICITY: (State.APPROVED,),
        State.APPROVED: (State.CIRCULATED,),
        State.CIRCULATED: (State.CLOSED,),
        State.CLOSED: (),
    }
    #: States in which criteria may still be edited (frozen once scoring opens).
    EDITABLE_STATES = frozenset({State.SETUP, State.MATERIALS, State.EVALUATION_MEETING})
    #: States in which results are public (seed: 第五条, only after the street approved).
    PUBLIC_STATES = frozenset({State.APPROVED, State.CIRCULATED, State.CLOSED})

    #: A campaign covers one compound, or (``community`` set instead) every compound of a
    #: community (issue 7 item 1, 评议监督考核制度 第一条 社区党组织具体负责).
    compound = models.ForeignKey(
        Compound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_campaigns",
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_campaigns",
    )
    year = models.PositiveIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=120)
    state = models.CharField(
        _("state"), max_length=32, choices=State.choices, default=State.SETUP, db_index=True
    )
    meeting_at = models.DateTimeField(_("evaluation meeting"), null=True, blank=True)
    trim_extremes = models.BooleanField(_("drop the highest and the lowest ballot"), default=False)
    satisfaction_pct = models.DecimalField(
        _("satisfied at (%)"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    band_excellent = models.DecimalField(
        _("优秀 from (%)"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    band_good = models.DecimalField(
        _("良好 from (%)"), max_digits=5, decimal_places=2, default=Decimal("80")
    )
    band_pass = models.DecimalField(
        _("合格 from (%)"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    star_thresholds = models.JSONField(_("star thresholds (%)"), default=default_star_thresholds)
    objection_days = models.PositiveSmallIntegerField(_("objection window (days)"), default=7)
    publicity_start = models.DateTimeField(null=True, blank=True)
    publicity_end = models.DateTimeField(null=True, blank=True, db_index=True)
    disclosure_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-year", "compound")
        constraints = [
            models.UniqueConstraint(fields=("compound", "year"), name="campaign_one_per_year"),
            models.UniqueConstraint(
                fields=("community", "year"),
                condition=Q(community__isnull=False),
                name="campaign_one_per_community_year",
            ),
            models.CheckConstraint(
                name="campaign_one_scope",
                condition=Q(compound__isnull=False, community__isnull=True)
                | Q(compound__isnull=True, community__isnull=False),
            ),
        ]
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")

    def __str__(self) -> str:
        return self.title

    @cached_property
    def compounds(self) -> list[Compound]:
        """The compounds this campaign covers: its compound, or every compound of its community."""
        if self.compound_id:
            return [self.compound]
        return list(self.community.compounds.order_by("pk"))

    @property
    def scope_name(self) -> str:
        return self.compound.name if self.compound_id else self.community.name

    @property
    def criteria_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def results_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def next_state(self) -> str | None:
        nxt = self.TRANSITIONS[self.State(self.state)]
        return nxt[0] if nxt else None


class CampaignEvent(Event):
    """A step of the campaign, shown in its history as a phrase (never a code)."""

    VERB_LABELS = {
        "create": _("Opened the evaluation"),
        "advance": _("Moved the evaluation on"),
        "settings": _("Changed the grade bands and stars"),
        "criterion_add": _("Added a criterion"),
        "criterion_remove": _("Removed a criterion"),
        "target_add": _("Added a PMC member to evaluate"),
        "report": _("Filed a work report"),
        "evaluator_add": _("Added an evaluator to the roster"),
        "tokens_issue": _("Printed ballot slips"),
        "paper_enter": _("Typed in a paper ballot"),
        "paper_confirm": _("Confirmed a paper ballot"),
        "paper_reject": _("Sent back a paper ballot"),
        "objection": _("An objection was filed"),
        "objection_answer": _("Resolved an objection"),
        "supervisor_opinion": _("The quality supervisor gave an opinion"),
        "low_satisfaction": _("Flagged a PMC member under the satisfaction line"),
    }
    STATE_LABELS = dict(Campaign.State.choices)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")


class CriterionGroup(models.Model):
    """A section of the 民主测评标准 (seed: 第三条 "由街道统一制定"; 第四条 the four areas)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("group"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One scored line; scores run from 0 to ``max_score``; ``weight`` weighs the mean."""

    group = models.ForeignKey(CriterionGroup, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty means the maximum score is the weight."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("group__position", "position", "pk")
        constraints = [
            models.CheckConstraint(name="criterion_weight_positive", condition=Q(weight__gt=0)),
            models.CheckConstraint(name="criterion_max_positive", condition=Q(max_score__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name


def report_upload_to(instance: Target, filename: str) -> str:
    return f"evaluations/{instance.campaign_id}/reports/{uuid.uuid4().hex}.pdf"


class Target(models.Model):
    """Who is evaluated (seed: 第二条): RC, PMC, property company, optionally a PMC member."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    #: Whose records are the evidence: the PMC's / company's compound. Empty for a
    #: community body (the RC) in a community campaign: its evidence spans every compound.
    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("An individual PMC member (the 60 per cent rule)."),
    )
    report_text = models.TextField(_("work report (述职)"), blank=True)
    report_pdf = models.FileField(_("work report PDF"), upload_to=report_upload_to, blank=True)
    report_submitted_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("campaign", "organization"),
                condition=Q(member__isnull=True),
                name="target_one_per_org",
            ),
            models.UniqueConstraint(
                fields=("campaign", "member"),
                condition=Q(member__isnull=False),
                name="target_one_per_member",
            ),
        ]

    def __str__(self) -> str:
        if self.member_id:
            return f"{self.organization.name} · {self.member.name}"
        return self.organization.name

    @property
    def evidence_compounds(self) -> list[Compound]:
        if self.compound_id:
            return [self.compound]
        return self.campaign.compounds

    @property
    def is_member(self) -> bool:
        return self.member_id is not None


class Evaluator(models.Model):
    """A roster entry: someone who may score (seed: 第三条 党员、业主及居民群众代表、单位)."""

    class Category(models.TextChoices):
        PARTY_MEMBER = "party_member", _("Party member")
        OWNER = "owner", _("Owner")
        RESIDENT_REP = "resident_rep", _("Residents' representative")
        UNIT_REP = "unit_rep", _("Unit representative")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="evaluators")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    #: SHA-256 of the current one-time token; empty until slips are issued.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("category", "name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("token_hash",), condition=~Q(token_hash=""), name="evaluator_token_unique"
            ),
            models.UniqueConstraint(
                fields=("campaign", "person"),
                condition=Q(person__isnull=False),
                name="evaluator_person_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TokenUse(models.Model):
    """The "token used" mark: this evaluator has cast a ballot for this target. Nothing more."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="uses")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("evaluator", "target"), name="token_use_once")
        ]

    def __str__(self) -> str:
        return f"token used: evaluator #{self.evaluator_id} → target #{self.target_id}"


class Ballot(models.Model):
    """One evaluator's scores for one target. No evaluator, no time of day: see module doc."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="ballots")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    submitted_on = models.DateField()

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"ballot {self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRowError("a submitted ballot cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRowError("a submitted ballot cannot be deleted")


class Score(models.Model):
    """One criterion's score on a ballot; a random key, so row ids carry no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("ballot", "criterion"), name="score_once"),
            models.CheckConstraint(name="score_not_negative", condition=Q(value__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRowError("a submitted score cannot be changed")
        super().save(*args, **kwargs)


class PendingBallot(models.Model):
    """The holding area: a cast ballot waiting to be written into :class:`Ballot`.

    Written in the same transaction as the :class:`TokenUse` marks (so one-time
    use stays atomic), then moved out by ``services.ballots_flush`` in shuffled
    batches. No evaluator, no time, a random key. ``scores`` is
    {criterion_id: "value"}.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Ballot.Channel.choices)
    scores = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"pending ballot {self.pk}"


class PaperEntry(models.Model):
    """A paper ballot typed in by one clerk, waiting for a second clerk to confirm."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_entries")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="+")
    #: {target_id: {criterion_id: "value"}} while pending; emptied on confirm / reject.
    scores = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("entered_at", "pk")
        constraints = [
            # The same slip can be entered once; a rejected entry frees it again.
            models.UniqueConstraint(
                fields=("evaluator",),
                condition=Q(state__in=("pending", "confirmed")),
                name="paper_entry_once",
            ),
            models.CheckConstraint(
                name="paper_entry_four_eyes",
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=models.F("entered_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"paper entry #{self.pk} ({self.state})"


class Objection(models.Model):
    """An objection to the preliminary results during publicity (seed: 第五条 "无异议后")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="objections")
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Resolution(models.TextChoices):
        """评议监督考核制度 第五条 "无异议": an objection is settled only when the community
        party organization upholds it (and corrects the preliminary result) or dismisses it
        with reasons — an answer alone settles nothing."""

        UPHELD = "upheld", _("Upheld: the preliminary result was corrected")
        DISMISSED = "dismissed", _("Dismissed, with reasons")

    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, blank=True
    )
    #: What was corrected in the preliminary result when the objection was upheld.
    correction = models.TextField(_("correction of the preliminary result"), blank=True)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"objection #{self.pk}"

    @property
    def resolved(self) -> bool:
        return bool(self.resolution) and self.answered_at is not None


class SupervisorOpinion(models.Model):
    """The volunteer quality supervisor's opinion for the annual evaluation (决策报告制度
    第四条 "结合年度考评工作，对物业服务企业提出评价意见")."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="supervisor_opinions"
    )
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("opinion"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("campaign", "target", "author"), name="one_supervisor_opinion_per_target"
            )
        ]
        verbose_name = _("quality supervisor's opinion")
        verbose_name_plural = _("quality supervisors' opinions")

    def __str__(self) -> str:
        return f"supervisor opinion #{self.pk}"


# --- 红黑榜 (seed: 小区党组织服务承诺 第10条) ---------------------------------------


class QuarterRating(models.Model):
    """The property company's quarterly red/black-list rating."""

    class Verdict(models.TextChoices):
        RED = "red", _("Red list")
        NEUTRAL = "neutral", _("Passed")
        BLACK = "black", _("Black list")
        PENDING = "pending", _("Not rated yet")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    complaint_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    pledge_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    survey_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    verdict = models.CharField(
        max_length=8, choices=Verdict.choices, default=Verdict.PENDING, db_index=True
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-year", "-quarter")
        constraints = [
            models.UniqueConstraint(
                fields=("company", "year", "quarter"), name="quarter_rating_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.company}"

    @property
    def period(self) -> periods.Period:
        """This rating's quarter (``2026Q3``): China-time bounds, label, previous/next."""
        return periods.Period(periods.QUARTER, self.year, self.quarter)

    @property
    def failing(self) -> bool:
        return self.verdict == self.Verdict.BLACK


class SurveyResponse(models.Model):
    """One resident's short quarterly survey about the property company (1–5 each)."""

    rating = models.ForeignKey(QuarterRating, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    cleanliness = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    security = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    responsiveness = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("rating", "respondent"), name="survey_once"),
        ]

    def __str__(self) -> str:
        return f"survey #{self.pk}"


class BlackListAlarm(models.Model):
    """Raised once when the company fails two quarters in a row (unique per streak start)."""

    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    #: The second failing quarter of the streak.
    rating = models.OneToOneField(QuarterRating, on_delete=models.PROTECT, related_name="alarm")
    #: The first failing quarter: one alarm per streak, however long it runs.
    streak_start = models.ForeignKey(QuarterRating, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("company", "streak_start"), name="blacklist_once")
        ]

    def __str__(self) -> str:
        return f"black-list alarm {self.company_id} {self.rating_id}"


class DecemberReminder(models.Model):
    """Raised once per community and year: "open December's campaign" was sent.

    seed: 评议监督考核制度 第一条 (社区党组织具体负责, 每年12月开展). The unique row is the
    "once" (like every other alarm of the portal), so the daily December beat, or
    two beats racing, write the reminder a single time.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("community", "year"), name="evaluation_december_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"December reminder {self.community_id} {self.year}"


class YearEndReferral(models.Model):
    """The year-end report on a company that failed the red/black list (小区党组织服务承诺 第10条).

    seed (小区党组织服务承诺 第10条): "对连续不达标企业，在年底上报主管部门进行考评；
    同时，建议业主大会启动解聘程序". One per company and year; prepared and submitted by
    the compound party organization. ``quarters`` is a snapshot of the failing
    quarters (scores and evidence) taken when the record is built, so the submitted
    report does not change if a quarter is re-rated later.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    TRANSITIONS = {State.DRAFT: (State.SUBMITTED,), State.SUBMITTED: ()}

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    #: The competent authority (主管部门) the report is addressed to: a street-level body.
    authority = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: [{"year", "quarter", "complaint", "pledge", "survey", "total", "responses"}], oldest first.
    quarters = models.JSONField(default=list)
    report_text = models.TextField(_("report to the authority"))
    suggestion_text = models.TextField(_("suggestion to the owners' assembly"))
    #: The owners'-assembly motion (民法典第278条 (四)) proposed from the suggestion.
    motion = models.ForeignKey(
        "meetings.OwnersAssemblyMotion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-year", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("company", "year"), name="year_end_referral_once")
        ]
        verbose_name = _("year-end referral")
        verbose_name_plural = _("year-end referrals")

    def __str__(self) -> str:
        return f"{self.year} {self.company}"


class YearEndReferralEvent(Event):
    """A step of a year-end report, shown in its history as a phrase (never a code)."""

    VERB_LABELS = {
        "create": _("Drafted the year-end report"),
        "refresh": _("Updated the failing quarters"),
        "submit": _("Submitted the report to the authority"),
        "motion": _("Proposed the dismissal motion to the owners' assembly"),
    }
    STATE_LABELS = dict(YearEndReferral.State.choices)

    referral = models.ForeignKey(YearEndReferral, on_delete=models.CASCADE, related_name="events")


def document_upload_to(instance: EvaluationDocument, filename: str) -> str:
    return f"evaluations/{instance.campaign_id}/documents/{uuid.uuid4().hex}.pdf"


class EvaluationDocument(models.Model):
    """A results, evidence or ballot-slips PDF rendered by the worker (DESIGN.md §4 "PDF":
    not in a request).

    ``version`` says which data the PDF shows (state, ballots, last event, day for
    evidence): a ready row of the current version is served, otherwise one pending
    row is (re)used and the page polls. Ballot slips are one printing each (``version``
    a random id, ``requested_by`` who asked): the worker issues the tokens itself, so no
    plaintext token reaches the broker; see ``evaluations.services.slips`` for how long
    the file with the tokens is kept and who may fetch it.
    """

    class Kind(models.TextChoices):
        RESULTS = "results", _("Results")
        EVIDENCE = "evidence", _("Evidence pack")
        SLIPS = "slips", _("Ballot slips")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="documents")
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.CharField(max_length=64)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    file = models.FileField(upload_to=document_upload_to, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    #: Ballot slips only: whose request the worker issues the tokens for (the event's actor).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("campaign", "kind", "target", "version"),
                name="evaluation_document_once_per_version",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind} {self.status}"
