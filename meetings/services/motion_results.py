"""Counting the owners' vote and making the outcome public: the tally under Civil Code art. 278
at or after the announced close (never earlier), the decision with the tally, the reasons and
the receipt numbers published to the disclosure board (category ``owners_assembly``), and
later the implementation result.

seed: 协同联动解决小区事务流程 第二条 ("同时对决策事项和实施结果予以公开"); 民法典 第二百七十八条.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Organization

from .. import tally as tally_module
from ..models import MotionVote, OwnersAssemblyMotion
from ._common import (
    Kind,
    MeetingStateError,
    _guard,
    _link,
    _lock,
    _motion_event,
    _orgs_of_kinds,
    _sync,
    _text,
)


def counted_votes(motion: OwnersAssemblyMotion):
    """Online ballots and confirmed paper ballots."""
    return motion.votes.filter(confirmed_at__isnull=False)


def motion_tally(*, motion: OwnersAssemblyMotion) -> tally_module.TallyResult:
    """Count the ballots under Civil Code art. 278 with the headcount of 司法解释 第九条."""
    votes = counted_votes(motion).values_list("area", "choice", "owner_key")
    return tally_module.tally_votes(
        matter=motion.matter,
        votes=list(votes),
        total_area=motion.total_area or Decimal("0"),
        total_owners=motion.total_owners or 0,
    )


def _absolute_link(motion: OwnersAssemblyMotion) -> str:
    """The motion page as an absolute http(s) link (the board's source link is a URL)."""
    from django.conf import settings

    site = str(getattr(settings, "HUASHAN_SITE_URL", "") or "").rstrip("/")
    path = _link("meetings:motion", motion.pk)
    return f"{site}{path}" if site.startswith(("http://", "https://")) and path else ""


def _pmc(motion: OwnersAssemblyMotion) -> Organization | None:
    return (_orgs_of_kinds(motion.compound, [Kind.PMC]) or [None])[0]


def _decision_markdown(motion: OwnersAssemblyMotion, result, receipts: list) -> str:
    # Labels are looked up outside the f-strings, where the catalogue tools can find them.
    verdict = gettext("Passed") if result.passed else gettext("Not passed")
    label = {
        "motion": gettext("Motion"),
        "decision": gettext("Decision"),
        "rule": gettext("Rule"),
        "item": gettext("Item"),
        "area": gettext("Area (m²)"),
        "owners": gettext("Owners"),
        "all": gettext("All owners"),
        "took_part": gettext("Took part"),
        "yes": gettext("For"),
        "no": gettext("Against"),
        "abstain": gettext("Abstain"),
        "receipts": gettext("Receipt numbers of the counted ballots"),
    }
    lines = [
        f"**{label['motion']}**：{motion.title}",
        "",
        f"**{label['decision']}**：{verdict}",
        "",
        motion.decision_text,
        "",
        f"**{label['rule']}**：{tally_module.threshold_in_words(motion.matter)}",
        "",
        f"| {label['item']} | {label['area']} | {label['owners']} |",
        "|---|---|---|",
        f"| {label['all']} | {result.total_area} | {result.total_owners} |",
        f"| {label['took_part']} | {result.participating_area} | {result.participating_owners} |",
        f"| {label['yes']} | {result.yes_area} | {result.yes_owners} |",
        f"| {label['no']} | {result.no_area} | {result.no_owners} |",
        f"| {label['abstain']} | {result.abstain_area} | {result.abstain_owners} |",
        "",
        *[f"- {reason}" for reason in result.reasons],
        "",
        result.headcount_basis,
        "",
        f"**{label['receipts']}**：",
        "",
        "、".join(f"{r} {c}" for r, c in receipts) or "—",
    ]
    return "\n".join(lines)


def motion_close_vote(
    *, actor, motion: OwnersAssemblyMotion, decision_text: str = ""
) -> OwnersAssemblyMotion:
    """Count the vote at or after the announced close — never earlier — store the tally and
    publish the decision with the tally and the reasons to the disclosure board (category
    ``owners_assembly``; 协同联动 第二条 "对决策事项……予以公开")."""
    from disclosures.services.external import disclosure_publish_external

    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    decision_text = _text(decision_text, field_name="decision_text", required=False)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.DECIDED)
        now = timezone.now()
        if locked.vote_closes_at and now < locked.vote_closes_at:
            raise MeetingStateError(
                _(
                    "The vote closes at the announced time (%(when)s); it cannot be closed "
                    "early. Extend it instead if needed."
                )
                % {"when": timezone.localtime(locked.vote_closes_at).strftime("%Y-%m-%d %H:%M")},
                code="not_closed_yet",
            )
        pending = locked.votes.filter(confirmed_at__isnull=True).count()
        if pending:
            raise MeetingStateError(
                _("%(n)s paper ballots still wait for a second person to confirm them.")
                % {"n": pending},
                code="pending_paper",
            )
        try:
            result = motion_tally(motion=locked)
        except tally_module.TallyInputError as exc:
            raise ValidationError(
                _("The votes do not add up: %(error)s") % {"error": exc}, code="bad_tally"
            ) from None
        locked.tally = result.as_dict()
        locked.passed = result.passed
        verdict = gettext("Passed") if result.passed else gettext("Not passed")
        locked.decision_text = decision_text or f"{verdict}. " + "；".join(result.reasons)
        locked.stage = OwnersAssemblyMotion.Stage.DECIDED
        locked.decided_at = now
        receipts = [
            (r, str(MotionVote.Choice(c).label))
            for r, c in counted_votes(locked).order_by("receipt").values_list("receipt", "choice")
        ]
        pmc = _pmc(locked)
        if pmc is None:
            raise ValidationError(_("The compound has no PMC."), code="no_pmc")
        disclosure = disclosure_publish_external(
            actor=person,
            compound=locked.compound,
            organization=pmc,
            category_code="owners_assembly",
            title=(gettext("Owners' assembly decision: %(title)s") % {"title": locked.title})[:200],
            body=_decision_markdown(locked, result, receipts),
            source_url=_absolute_link(locked),
        )
        locked.decision_disclosure_id = disclosure.pk
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="decide",
            from_state=old,
            to_state=locked.stage,
            note=locked.decision_text,
        )
    return _sync(motion, locked)


def motion_publish_result(
    *, actor, motion: OwnersAssemblyMotion, result_text: str
) -> OwnersAssemblyMotion:
    """Publish the implementation result to the disclosure board (实施结果予以公开,
    协同联动 第二条; the half-yearly report of 物业管理委员会服务承诺 第1条 links to it)."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    from disclosures.services.external import disclosure_publish_external

    result_text = _text(result_text, field_name="result_text")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.RESULT_PUBLISHED)
        locked.result_text = result_text
        locked.result_published_at = timezone.now()
        locked.stage = OwnersAssemblyMotion.Stage.RESULT_PUBLISHED
        pmc = _pmc(locked)
        if pmc is None:
            raise ValidationError(_("The compound has no PMC."), code="no_pmc")
        disclosure = disclosure_publish_external(
            actor=person,
            compound=locked.compound,
            organization=pmc,
            category_code="owners_assembly",
            title=(
                gettext("Implementation result of the owners' decision: %(title)s")
                % {"title": locked.title}
            )[:200],
            body=result_text,
            source_url=_absolute_link(locked),
        )
        locked.result_disclosure_id = disclosure.pk
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="publish_result",
            from_state=old,
            to_state=locked.stage,
            note=result_text,
        )
    return _sync(motion, locked)
