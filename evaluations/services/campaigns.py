"""Campaigns: create, advance through the states, settings, criteria and targets (述职).

seed: 评议监督考核制度 第一条 to 第五条.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from huashan import workdays
from huashan.core.services import require_perm
from huashan.core.state import guard
from huashan.directory.models import Community, Compound, Organization, Person
from huashan.directory.selectors import organization_of_kind

from .. import evidence
from ..models import (
    Campaign,
    Criterion,
    CriterionGroup,
    Target,
)
from .ballots import ballots_flush
from .base import (
    DEFAULT_TEMPLATE,
    REPORT_PDF_MAX,
    REPORT_TEXT_MAX,
    TRANSITION_PERMISSION,
    CampaignStateError,
    State,
    _denied,
    _event,
    _lock,
    _notify_org,
    _scope,
)
from .members import current_pmc_seats, member_targets_sync, next_position
from .results import _low_satisfaction_members, _results_summary
from .slips import slips_discard

# --- campaign --------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    compound: Compound | None = None,
    year: int,
    title: str = "",
    community: Community | None = None,
) -> Campaign:
    """Open the year's campaign with the default criteria and the three parties as targets.

    seed: 第一条 (社区党组织具体负责), 第二条 (三方), 第三条/第四条 (default criteria).
    Either one ``compound`` or a whole ``community`` (issue 7 item 1): then the
    residents' committee is a target once and each compound's PMC and property
    company are targets, their evidence taken from their own compound. A compound
    is evaluated once a year: by its own campaign or by its community's.
    """
    if (compound is None) == (community is None):
        raise ValidationError(gettext("Choose a compound or a community."))
    scope = compound or community
    require_perm(actor, "evaluations.organize", scope, _denied())
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": gettext("Enter a year between 2000 and 2100.")})
    compounds = _scope(scope)
    if not compounds:
        raise ValidationError(gettext("This community has no compound."))
    if Campaign.objects.filter(
        Q(compound__in=compounds) | Q(community_id=compounds[0].community_id), year=year
    ).exists():
        raise ValidationError(
            {
                "year": gettext(
                    "A campaign for %(year)s already covers this compound or community."
                )
                % {"year": year}
            }
        )
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                compound=compound,
                community=community,
                year=year,
                title=title.strip()[:120] or f"{scope.name}{year}年度“三方”评议监督考核",
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "year": gettext(
                    "A campaign for %(year)s already covers this compound or community."
                )
                % {"year": year}
            }
        ) from exc
    for g_pos, (group_name, criteria) in enumerate(DEFAULT_TEMPLATE):
        group = CriterionGroup.objects.create(campaign=campaign, name=group_name, position=g_pos)
        Criterion.objects.bulk_create(
            Criterion(group=group, name=name, max_score=points, weight=points, position=pos)
            for pos, (name, points) in enumerate(criteria)
        )
    position = 0
    seen: set[int] = set()
    for each in compounds:
        for kind in Organization.THREE_PARTIES:
            organization = organization_of_kind(compound=each, kind=kind)
            if organization is None or organization.pk in seen:
                continue  # the community's RC once, however many compounds
            seen.add(organization.pk)
            own = organization.compound_id == each.pk
            Target.objects.create(
                campaign=campaign,
                organization=organization,
                compound=each if own or compound is not None else None,
                position=position,
            )
            position += 1
    # 物业管理委员会服务承诺 第4条: each current 委员 is evaluated individually, by default.
    member_targets_sync(campaign)
    _event(campaign, actor=actor, verb="create", to_state=State.SETUP)
    return campaign


@transaction.atomic
def campaign_advance(*, actor, campaign: Campaign, to_state: str, note: str = "") -> Campaign:
    """Move the campaign one step along ``Campaign.TRANSITIONS``.

    seed: 第三条 (materials, review meeting, scoring), 第五条 (preliminary results
    publicised; approved by the street party working committee only after the
    objection window closed and every objection was answered; then circulated).
    Each step: who may take it and whether it may be taken now
    (:func:`_advance_allowed`), what must hold before (``_before_<state>``), the
    state and its event, then what follows (:func:`_after_advance`).
    """
    campaign = _lock(campaign)
    old = State(campaign.state)
    _advance_allowed(actor, campaign, old, to_state)
    now = timezone.now()
    before = {
        State.SCORING: _before_scoring,
        State.PUBLICITY: _before_publicity,
        State.APPROVED: _before_approval,
    }.get(to_state)
    if before is not None:
        before(campaign, now)
    campaign.state = to_state
    campaign.save()
    _event(campaign, actor=actor, verb="advance", from_state=old, to_state=to_state, note=note)
    _after_advance(actor, campaign, to_state)
    return campaign


def _advance_allowed(actor, campaign: Campaign, old: State, to_state: str) -> None:
    """The transition exists, and the actor may take it (only the street approves)."""
    guard(
        campaign,
        to_state,
        error=CampaignStateError,
        message=gettext("A campaign in state “%(state)s” cannot move to “%(to)s”.")
        % {
            "state": old.label,
            "to": State(to_state).label if to_state in State.values else to_state,
        },
    )
    if TRANSITION_PERMISSION.get(to_state) == "approve":
        require_perm(
            actor, "evaluations.approve", campaign, gettext("Only the street approves the results.")
        )
    else:
        require_perm(actor, "evaluations.organize", campaign, _denied())


def _before_scoring(campaign: Campaign, now) -> None:
    """Targets, criteria, and slips that list the targets the phone ballot will show.

    The members are brought up to date once more (a member seated since is added, one
    whose term ended is dropped) — but a printed slip lists the targets on paper: when
    they changed after slips were printed, the slips are printed again first, so the
    paper ballot asks about the same people as the phone ballot.
    """
    if member_targets_sync(campaign) and campaign.evaluators.exclude(token_hash="").exists():
        raise CampaignStateError(
            gettext(
                "The PMC's members changed since the ballot slips were printed: print "
                "the slips again (the earlier ones stop working), then open scoring."
            ),
            code="slips_outdated",
        )
    if not campaign.targets.exists():
        raise CampaignStateError(gettext("Add at least one target before scoring opens."))
    if not Criterion.objects.filter(group__campaign=campaign).exists():
        raise CampaignStateError(gettext("Add at least one criterion before scoring opens."))


def _before_publicity(campaign: Campaign, now) -> None:
    """seed: 评议监督考核制度 第五条 — a window of days, counted like every other deadline
    (Civil Code arts. 201–203: from the next day, to 24:00, past rest days)."""
    campaign.publicity_start = now
    campaign.publicity_end = workdays.deadline(
        now, workdays.objection_window(campaign.objection_days)
    )


def _before_approval(campaign: Campaign, now) -> None:
    """The objection window has closed and every objection is resolved (第五条 "无异议":
    upheld or dismissed, not just answered)."""
    if campaign.publicity_end and now < campaign.publicity_end:
        raise CampaignStateError(
            gettext("The objection window is still open until %(end)s.")
            % {"end": workdays.format_deadline(campaign.publicity_end)}
        )
    if campaign.objections.filter(Q(answered_at__isnull=True) | Q(resolution="")).exists():
        raise CampaignStateError(
            gettext(
                "Resolve every objection before approval: uphold it and correct the "
                "preliminary result, or dismiss it with reasons."
            )
        )


def _after_advance(actor, campaign: Campaign, to_state: str) -> None:
    """What a new state sets off: counting, publishing, the 60 % rule, circulation, notices."""
    if to_state == State.PRELIMINARY:
        _after_scoring_closed(campaign)
    if to_state == State.PUBLICITY:
        ref = evidence.publish_preliminary(
            actor=actor, campaign=campaign, body=_results_summary(campaign)
        )
        if ref:
            Campaign.objects.filter(pk=campaign.pk).update(disclosure_ref=ref)
    if to_state == State.APPROVED:
        _low_satisfaction_members(actor=actor, campaign=campaign)
    if to_state == State.CIRCULATED:
        _circulate_street_wide(campaign)
    if to_state in (State.PUBLICITY, State.APPROVED):
        _notify_targets(campaign, to_state)


def _after_scoring_closed(campaign: Campaign) -> None:
    """第五条 初步结果: every cast ballot counts, and the roster forgets who is who (the
    slips are printed and scoring is over: the names stay, the accounts go). The stored
    slips, with their tokens, are deleted."""
    ballots_flush(campaign=campaign, keep=0)
    campaign.evaluators.filter(person__isnull=False).update(person=None)
    slips_discard(campaign)


def _notify_targets(campaign: Campaign, to_state: str) -> None:
    """The evaluated bodies hear that their results changed state."""
    for target in campaign.targets.filter(member__isnull=True).select_related("organization"):
        _notify_org(
            target.organization,
            subject=gettext("Evaluation: %(title)s — %(state)s")
            % {"title": campaign.title, "state": State(to_state).label},
            body=gettext("The evaluation results changed state."),
            link=f"/evaluations/{campaign.pk}/results/",
        )


def _street_organizations(campaign: Campaign) -> list[Organization]:
    """Every organization of the campaign's street: the street's own bodies, each community's
    and each compound's (the targets among them)."""
    street_id = campaign.compounds[0].community.street_id
    return list(
        Organization.objects.filter(
            Q(street_id=street_id)
            | Q(community__street_id=street_id)
            | Q(compound__community__street_id=street_id)
        ).order_by("pk")
    )


def _circulate_street_wide(campaign: Campaign) -> int:
    """评议监督考核制度 第五条 "经街道党工委审定，在街道范围内通报": the approved result goes to
    every organization of the street, not only to the bodies evaluated."""
    subject = gettext("Evaluation results circulated in the street: %(title)s") % {
        "title": campaign.title
    }
    body = _results_summary(campaign)[:1500]
    organizations = _street_organizations(campaign)
    for organization in organizations:
        _notify_org(
            organization,
            subject=subject,
            body=body,
            link=f"/evaluations/{campaign.pk}/results/",
        )
    return len(organizations)


@transaction.atomic
def campaign_settings_update(*, actor, campaign: Campaign, **values: Any) -> Campaign:
    """Change trimming, bands, stars, objection window — only before scoring opens."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    _require_editable(campaign)
    allowed = {
        "trim_extremes",
        "satisfaction_pct",
        "band_excellent",
        "band_good",
        "band_pass",
        "star_thresholds",
        "objection_days",
        "meeting_at",
        "title",
    }
    for key, value in values.items():
        if key not in allowed:
            raise ValueError(key)
        setattr(campaign, key, value)
    errors: dict[str, list[str]] = {}
    for key in ("band_excellent", "band_good", "band_pass", "satisfaction_pct"):
        value = getattr(campaign, key)
        if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 100:
            errors[key] = [gettext("Enter a percentage from 0 to 100.")]
    if not errors and not campaign.band_excellent > campaign.band_good > campaign.band_pass:
        errors["band_good"] = [gettext("Bands must fall: 优秀 > 良好 > 合格.")]
    stars = campaign.star_thresholds
    if (
        not isinstance(stars, list)
        or not 1 <= len(stars) <= 5
        or not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 100 for x in stars)
        or any(a >= b for a, b in itertools.pairwise(stars))
    ):
        errors["star_thresholds"] = [
            gettext("Star thresholds: one to five rising whole percentages from 0 to 100.")
        ]
    if errors:
        raise ValidationError(errors)
    campaign.full_clean()
    campaign.save()
    _event(campaign, actor=actor, verb="settings")
    return campaign


# --- criteria ----------------------------------------------------------------------


def _require_editable(campaign: Campaign) -> None:
    if not campaign.criteria_editable:
        raise CampaignStateError(gettext("The criteria are frozen: scoring has opened."))


@transaction.atomic
def criterion_add(
    *, actor, campaign: Campaign, group_name: str, name: str, max_score: int, weight=None
) -> Criterion:
    """Add a criterion (creating its group if new) before scoring opens (seed: 第三条)."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    _require_editable(campaign)
    group_name, name = group_name.strip(), name.strip()
    if not group_name or not name:
        raise ValidationError(gettext("Enter the group and the criterion."))
    group, _created = CriterionGroup.objects.get_or_create(
        campaign=campaign,
        name=group_name[:100],
        defaults={"position": campaign.groups.count()},
    )
    criterion = Criterion(
        group=group,
        name=name[:200],
        max_score=max_score,
        weight=Decimal(weight) if weight not in (None, "") else Decimal(max_score),
        position=group.criteria.count(),
    )
    criterion.full_clean()
    criterion.save()
    _event(campaign, actor=actor, verb="criterion_add", note=f"{group.name} / {criterion.name}")
    return criterion


@transaction.atomic
def criterion_remove(*, actor, criterion: Criterion) -> None:
    campaign = _lock(criterion.group.campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    _require_editable(campaign)
    group = criterion.group
    note = f"{group.name} / {criterion.name}"
    criterion.delete()
    if not group.criteria.exists():
        group.delete()
    _event(campaign, actor=actor, verb="criterion_remove", note=note)


# --- targets -----------------------------------------------------------------------


@transaction.atomic
def target_add_member(*, actor, campaign: Campaign, member: Person) -> Target:
    """Evaluate an individual PMC member (the 60 % rule of the PMC pledge, item 4). Every
    current member is made a target when the campaign opens, when slips are printed and
    when scoring opens (:func:`.members.member_targets_sync`); this adds a member seated in
    between at once. Only a current 委员 with an active account, as there."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    _require_editable(campaign)
    seat = current_pmc_seats(campaign).get(member.pk)
    if seat is None:
        raise ValidationError(gettext("This person is not a current member of the PMC."))
    if campaign.targets.filter(member=member).exists():
        raise ValidationError(gettext("This member is already a target."))
    pmc = seat.organization
    target = Target.objects.create(
        campaign=campaign,
        organization=pmc,
        member=member,
        compound_id=pmc.compound_id,
        position=next_position(campaign),
    )
    _event(campaign, actor=actor, verb="target_add", note=str(target))
    return target


@transaction.atomic
def target_report_submit(*, actor, target: Target, text: str = "", pdf=None) -> Target:
    """File the target's 述职 report, as text and/or PDF (seed: 第三条 书面或口头述职)."""
    campaign = _lock(target.campaign)
    require_perm(actor, "evaluations.submit_report", target, _denied())
    if campaign.state not in Campaign.EDITABLE_STATES | {State.SCORING}:
        raise CampaignStateError(gettext("Reports can no longer be changed."))
    text = (text or "").strip()
    if not text and pdf is None and not target.report_pdf:
        raise ValidationError(gettext("Enter the report text or attach a PDF."))
    if len(text) > REPORT_TEXT_MAX:
        raise ValidationError(gettext("The report is too long."))
    if pdf is not None:
        if pdf.size > REPORT_PDF_MAX:
            raise ValidationError(gettext("The PDF is larger than 10 MB."))
        head = pdf.read(5)
        pdf.seek(0)
        if head != b"%PDF-":
            raise ValidationError(gettext("The file is not a PDF."))
        target.report_pdf.save("report.pdf", pdf, save=False)
    target.report_text = text
    target.report_submitted_at = timezone.now()
    target.save()
    _event(campaign, actor=actor, verb="report", note=str(target))
    return target
