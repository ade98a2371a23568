"""Owners' assembly motions (业主大会议案), their votes and history.

seed: 协同联动解决小区事务流程 第二条.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Household

from ._common import PERSON


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
    passed = models.BooleanField(null=True, blank=True)
    tally = models.JSONField(default=dict, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    result_text = models.TextField(_("implementation result"), blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("owners' assembly motion")
        verbose_name_plural = _("owners' assembly motions")

    def __str__(self) -> str:
        return self.title


class MotionVote(models.Model):
    """One household's vote, weighted by its exclusive area (one vote per household)."""

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
        "open_vote": _("Opened the owners' vote"),
        "vote": _("An owner voted"),
        "decide": _("Closed the vote and counted it"),
        "publish_result": _("Published the result"),
        "withdraw": _("Withdrew the motion"),
    }
    STATE_LABELS = dict(OwnersAssemblyMotion.Stage.choices)

    motion = models.ForeignKey(
        OwnersAssemblyMotion, on_delete=models.CASCADE, related_name="events"
    )
