"""Owners' assembly motions (业主大会议案), their votes and history.

seed: 协同联动解决小区事务流程 第二条.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Household

from ._common import PERSON, HearingSubject


class OwnersAssemblyMotion(models.Model):
    """A matter for the owners' assembly (业主大会), following 协同联动 第二条:
    working-group proposal → PMC deliberation → compound and community party
    review → owners' vote → decision published → result published.

    The vote is counted under Civil Code art. 278 (``meetings/tally.py``).
    """

    class Matter(models.TextChoices):
        # Civil Code art. 278 (一)—(九).
        ASSEMBLY_RULES = "assembly_rules", _("Owners' assembly rules of procedure")
        MANAGEMENT_STATUTE = "management_statute", _("Management statute (管理规约)")
        COMMITTEE_ELECTION = "committee_election", _("Electing or replacing committee members")
        COMPANY_SELECTION = "company_selection", _("Hiring or dismissing the property company")
        FUND_USE = "fund_use", _("Using the maintenance fund")
        FUND_RAISING = "fund_raising", _("Raising the maintenance fund")
        REBUILDING = "rebuilding", _("Rebuilding or reconstructing buildings and facilities")
        COMMON_PARTS_USE = (
            "common_parts_use",
            _("Changing the use of common parts or operating them"),
        )
        FEE_ADJUSTMENT = "fee_adjustment", _("Adjusting the property fee")
        OTHER = "other", _("Other major matters of common ownership")

    class Stage(models.TextChoices):
        PROPOSAL = "proposal", _("Working-group proposal")
        PMC_DELIBERATION = "pmc_deliberation", _("PMC deliberation")
        PARTY_REVIEW = "party_review", _("Party review")
        VOTING = "voting", _("Owners' vote")
        DECIDED = "decided", _("Decision published")
        RESULT_PUBLISHED = "result_published", _("Result published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Stage.PROPOSAL: {Stage.PMC_DELIBERATION, Stage.WITHDRAWN},
        Stage.PMC_DELIBERATION: {Stage.PARTY_REVIEW, Stage.WITHDRAWN},
        Stage.PARTY_REVIEW: {Stage.VOTING, Stage.WITHDRAWN},
        Stage.VOTING: {Stage.DECIDED},
        Stage.DECIDED: {Stage.RESULT_PUBLISHED},
        Stage.RESULT_PUBLISHED: set(),
        Stage.WITHDRAWN: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    #: The advance decision report of the matter (决策报告制度 第二条); the gate of
    #: ``meetings/services/decision_reports.py`` must be open before the vote opens.
    decision_report = models.ForeignKey(
        "meetings.DecisionReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="motions",
        verbose_name=_("decision report"),
    )
    #: 小区党组织服务承诺 8: greenery, parking or another public matter proceeds only after
    #: a held hearing of owner representatives (``services/hearings.py``).
    hearing_subject = models.CharField(
        _("matter for an owners' hearing"),
        max_length=16,
        choices=HearingSubject.choices,
        blank=True,
        default=HearingSubject.NONE,
    )
    hearing = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hearing_motions",
        verbose_name=_("owners' hearing (听证会)"),
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    title = models.CharField(_("motion"), max_length=200)
    body = models.TextField(_("proposal"))
    matter = models.CharField(_("matter"), max_length=24, choices=Matter.choices)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PROPOSAL, db_index=True
    )
    proposed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    working_group = models.CharField(_("working group"), max_length=100, blank=True)
    pmc_resolution = models.TextField(_("PMC deliberation"), blank=True)
    compound_party_review = models.TextField(_("compound party review"), blank=True)
    compound_party_reviewed_at = models.DateTimeField(null=True, blank=True)
    community_party_review = models.TextField(_("community party review"), blank=True)
    community_party_reviewed_at = models.DateTimeField(null=True, blank=True)
    vote_opens_at = models.DateTimeField(null=True, blank=True)
    vote_closes_at = models.DateTimeField(null=True, blank=True)
    #: Snapshot at the opening of the vote: every household of the compound.
    total_area = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    total_owners = models.PositiveIntegerField(null=True, blank=True)
    total_units = models.PositiveIntegerField(null=True, blank=True)
    #: The owners' register at the opening: household pk → owner key (司法解释 第九条).
    owner_keys = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    tally = models.JSONField(default=dict, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    result_text = models.TextField(_("implementation result"), blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)
    decision_disclosure_id = models.PositiveIntegerField(null=True, blank=True)
    result_disclosure_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("owners' assembly motion")
        verbose_name_plural = _("owners' assembly motions")

    def __str__(self) -> str:
        return self.title


class MotionVote(models.Model):
    """One ballot per exclusive unit, weighted by its area (one ballot per household).

    Online ballots are cast by the owner and counted at once; paper ballots are entered by
    one clerk and count only once a second clerk has confirmed them. ``receipt`` is the
    number the voter checks against the published list after the close.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    class Choice(models.TextChoices):
        YES = "yes", _("For")
        NO = "no", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    motion = models.ForeignKey(OwnersAssemblyMotion, on_delete=models.CASCADE, related_name="votes")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    area = models.DecimalField(max_digits=8, decimal_places=2)
    voter = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    #: Who counts as one owner for the headcount (司法解释 第九条), fixed at the opening.
    owner_key = models.CharField(max_length=60, blank=True)
    receipt = models.CharField(_("receipt number"), max_length=16, unique=True, null=True)
    confirmed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("motion", "household"), name="motion_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}: {self.household_id} {self.choice}"


class MotionEvent(Event):
    """A step of an owners' assembly motion, shown as a phrase."""

    VERB_LABELS = {
        "propose": _("Proposed the motion"),
        "pmc_deliberate": _("The PMC deliberated the motion"),
        "review_compound": _("Reviewed by the compound party organization"),
        "review_community": _("Reviewed by the community party organization"),
        "link_report": _("Linked the advance decision report"),
        "link_hearing": _("Linked the owners' hearing (听证会)"),
        "open_vote": _("Opened the owners' vote"),
        "vote": _("An owner voted"),
        "paper_vote": _("A paper ballot was entered"),
        "confirm_paper": _("A paper ballot was confirmed"),
        "extend": _("Extended the vote"),
        "decide": _("Closed the vote and counted it"),
        "publish_result": _("Published the result"),
        "withdraw": _("Withdrew the motion"),
    }
    STATE_LABELS = dict(OwnersAssemblyMotion.Stage.choices)

    motion = models.ForeignKey(
        OwnersAssemblyMotion, on_delete=models.CASCADE, related_name="events"
    )
