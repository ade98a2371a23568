"""Every state change of the evaluation (评议监督考核制度) and the red/black list (红黑榜).

seed: 评议监督考核制度 第一条 (the street party working committee organizes, the
community party organization runs it, every December), 第二条 (the three
parties are evaluated), 第三条 (述职, democratic scoring at the review meeting,
criteria set by the street), 第四条 (the four areas), 第五条 (publicity, no
objection, street approval, circulation); 小区党组织服务承诺 第10条 (红黑榜).

Shape (STYLE.md): keyword-only arguments with the actor first; permission
check; ``select_for_update`` on the campaign; one :class:`CampaignEvent`;
notifications inside the transaction. Ballots are cast with a token, not a
login: the "actor" of a ballot is never recorded (anonymity, see models).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.rules import (
    OFFICER_ROLES,
    can_approve_evaluation,
    can_organize_evaluation,
    can_run_meeting_office,
    is_resident_of_compound,
    is_staff_of_compound,
)
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notification_create

from . import evidence
from .models import (
    Ballot,
    BlackListAlarm,
    Campaign,
    CampaignEvent,
    Criterion,
    CriterionGroup,
    Evaluator,
    Objection,
    PaperEntry,
    QuarterRating,
    Score,
    SurveyResponse,
    Target,
    TokenUse,
)

State = Campaign.State
Kind = Organization.Kind

TOKEN_BYTES = 18
TEXT_MAX = 2000
REPORT_TEXT_MAX = 20000
REPORT_PDF_MAX = 10 * 1024 * 1024
#: 物业管理委员会服务承诺 第4条: "满意度低于60%的委员主动辞职".
PMC_MEMBER_SATISFACTION_MIN = Decimal("60")

#: seed: 评议监督考核制度 第四条 — the four areas, with the street's default points (total 100).
DEFAULT_TEMPLATE: list[tuple[str, list[tuple[str, int]]]] = [
    (
        "落实“三方联动”机制情况",
        [("参加联席会议、落实议定事项", 10), ("信息互通、协同处置小区事务", 10)],
    ),
    (
        "履行服务承诺、履行职责（服务合同）情况",
        [("年度服务承诺兑现情况", 15), ("履行职责（服务合同）情况", 15)],
    ),
    (
        "居民反映投诉问题受理及解决情况",
        [("诉求受理及时（48小时响应）", 10), ("问题解决及居民满意度", 15)],
    ),
    (
        "小区秩序及安全管理服务情况",
        [("环境卫生与公共秩序", 10), ("消防、电梯等安全隐患排查整改", 15)],
    ),
]

#: Per-transition permission (seed: 第五条 — only the street approves).
TRANSITION_PERMISSION = {
    State.APPROVED: "approve",
    State.CIRCULATED: "approve",
}


class CampaignStateError(ValidationError):
    """The campaign is not in a state that allows this step."""


class BallotRefused(ValidationError):
    """The token is unknown, already used, or the campaign is not scoring."""


# --- permissions -----------------------------------------------------------------


def may_organize(user: Any, campaign_or_compound: Any) -> bool:
    compound = getattr(campaign_or_compound, "compound", campaign_or_compound)
    return bool(can_organize_evaluation.test(user, compound))


def may_approve(user: Any, campaign: Campaign) -> bool:
    return bool(can_approve_evaluation.test(user, campaign.compound))


def may_enter_paper(user: Any, campaign: Campaign) -> bool:
    """Clerks of the review meeting: the organizers and the joint-meeting office."""
    return may_organize(user, campaign) or bool(
        can_run_meeting_office.test(user, campaign.compound)
    )


def may_view_staff(user: Any, campaign: Campaign) -> bool:
    return (
        may_enter_paper(user, campaign)
        or may_approve(user, campaign)
        or bool(is_staff_of_compound.test(user, campaign.compound))
    )


def may_submit_report(user: Any, target: Target) -> bool:
    """A target's own officers and staff (or the organizers) file its 述职 report."""
    if may_organize(user, target.campaign):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if target.member_id and target.member_id == user.pk:
        return True
    return (
        Membership.objects.current()
        .filter(person_id=user.pk, organization=target.organization)
        .exclude(role__in=("party_member", "owner_representative", "resident_group_leader"))
        .exists()
    )


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or gettext("You may not do this."))


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _event(campaign: Campaign, *, actor, verb: str, from_state="", to_state="", note="") -> None:
    CampaignEvent.objects.create(
        campaign=campaign,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _notify_org(organization: Organization | None, *, subject: str, body: str, link="") -> None:
    if organization is None:
        return
    people = Person.objects.filter(
        memberships__in=Membership.objects.current().filter(
            organization=organization, role__in=OFFICER_ROLES
        ),
        is_active=True,
    ).distinct()
    for person in people:
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


# --- campaign --------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, actor, compound: Compound, year: int, title: str = "") -> Campaign:
    """Open the year's campaign with the default criteria and the three parties as targets.

    seed: 第一条 (社区党组织具体负责), 第二条 (三方), 第三条/第四条 (default criteria).
    """
    _require(may_organize(actor, compound))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": gettext("Enter a year between 2000 and 2100.")})
    if Campaign.objects.filter(compound=compound, year=year).exists():
        raise ValidationError(
            {"year": gettext("This compound already has a campaign for %(year)s.") % {"year": year}}
        )
    campaign = Campaign.objects.create(
        compound=compound,
        year=year,
        title=title.strip()[:120] or f"{compound.name}{year}年度“三方”评议监督考核",
    )
    for g_pos, (group_name, criteria) in enumerate(DEFAULT_TEMPLATE):
        group = CriterionGroup.objects.create(campaign=campaign, name=group_name, position=g_pos)
        Criterion.objects.bulk_create(
            Criterion(group=group, name=name, max_score=points, weight=points, position=pos)
            for pos, (name, points) in enumerate(criteria)
        )
    for pos, kind in enumerate(Organization.THREE_PARTIES):
        organization = organization_of_kind(compound=compound, kind=kind)
        if organization is not None:
            Target.objects.create(campaign=campaign, organization=organization, position=pos)
    _event(campaign, actor=actor, verb="create", to_state=State.SETUP)
    return campaign


@transaction.atomic
def campaign_advance(*, actor, campaign: Campaign, to_state: str, note: str = "") -> Campaign:
    """Move the campaign one step along ``Campaign.TRANSITIONS``.

    seed: 第三条 (materials, review meeting, scoring), 第五条 (preliminary results
    publicised; approved by the street party working committee only after the
    objection window closed and every objection was answered; then circulated).
    """
    campaign = _lock(campaign)
    old = State(campaign.state)
    if to_state not in Campaign.TRANSITIONS[old]:
        raise CampaignStateError(
            gettext("A campaign in state “%(state)s” cannot move to “%(to)s”.")
            % {
                "state": old.label,
                "to": State(to_state).label if to_state in State.values else to_state,
            }
        )
    if TRANSITION_PERMISSION.get(to_state) == "approve":
        _require(may_approve(actor, campaign), gettext("Only the street approves the results."))
    else:
        _require(may_organize(actor, campaign))
    now = timezone.now()
    if to_state == State.SCORING:
        if not campaign.targets.exists():
            raise CampaignStateError(gettext("Add at least one target before scoring opens."))
        if not Criterion.objects.filter(group__campaign=campaign).exists():
            raise CampaignStateError(gettext("Add at least one criterion before scoring opens."))
    if to_state == State.PUBLICITY:
        campaign.publicity_start = now
        campaign.publicity_end = now + dt.timedelta(days=campaign.objection_days)
    if to_state == State.APPROVED:
        if campaign.publicity_end and now < campaign.publicity_end:
            raise CampaignStateError(
                gettext("The objection window is still open until %(end)s.")
                % {"end": timezone.localtime(campaign.publicity_end).strftime("%Y-%m-%d %H:%M")}
            )
        if campaign.objections.filter(answered_at__isnull=True).exists():
            raise CampaignStateError(gettext("Answer every objection before approval."))
    campaign.state = to_state
    campaign.save()
    _event(campaign, actor=actor, verb="advance", from_state=old, to_state=to_state, note=note)
    if to_state == State.PUBLICITY:
        ref = evidence.publish_preliminary(
            actor=actor, campaign=campaign, body=_results_summary(campaign)
        )
        if ref:
            Campaign.objects.filter(pk=campaign.pk).update(disclosure_ref=ref)
    if to_state == State.APPROVED:
        _low_satisfaction_members(actor=actor, campaign=campaign)
    if to_state in (State.PUBLICITY, State.APPROVED, State.CIRCULATED):
        for target in campaign.targets.filter(member__isnull=True).select_related("organization"):
            _notify_org(
                target.organization,
                subject=gettext("Evaluation: %(title)s — %(state)s")
                % {"title": campaign.title, "state": State(to_state).label},
                body=gettext("The evaluation results changed state."),
                link=f"/evaluations/{campaign.pk}/results/",
            )
    return campaign


def _results_summary(campaign: Campaign) -> str:
    from .results import campaign_results

    lines = []
    for result in campaign_results(campaign):
        total = "—" if result.weighted_total is None else f"{result.weighted_total}"
        lines.append(f"{result.target}：{total} 分 {result.band_label}")
    return "\n".join(lines)


def _low_satisfaction_members(*, actor, campaign: Campaign) -> list[Target]:
    """PMC members under 60 % (物业管理委员会服务承诺 第4条) → pledges accountability case."""
    from .results import campaign_results

    low = []
    for result in campaign_results(campaign):
        target = result.target
        if not target.is_member or result.satisfaction_share is None:
            continue
        if result.satisfaction_share < PMC_MEMBER_SATISFACTION_MIN:
            low.append(target)
            opened = evidence.accountability_open(
                target=target, satisfaction=float(result.satisfaction_share)
            )
            _event(
                campaign,
                actor=actor,
                verb="low_satisfaction",
                note=f"{target}: {result.satisfaction_share}%"
                + ("" if opened else " (pledges module not available)"),
            )
    return low


@transaction.atomic
def campaign_settings_update(*, actor, campaign: Campaign, **values: Any) -> Campaign:
    """Change trimming, bands, stars, objection window — only before scoring opens."""
    campaign = _lock(campaign)
    _require(may_organize(actor, campaign))
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
    if not campaign.band_excellent > campaign.band_good > campaign.band_pass:
        raise ValidationError(gettext("Bands must fall: 优秀 > 良好 > 合格."))
    stars = campaign.star_thresholds
    if not isinstance(stars, list) or stars != sorted(stars) or len(stars) > 5:
        raise ValidationError(gettext("Star thresholds must be up to five rising percentages."))
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
    _require(may_organize(actor, campaign))
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
    _require(may_organize(actor, campaign))
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
    """Evaluate an individual PMC member too (the 60 % rule of the PMC pledge, item 4)."""
    campaign = _lock(campaign)
    _require(may_organize(actor, campaign))
    _require_editable(campaign)
    pmc = organization_of_kind(compound=campaign.compound, kind=Kind.PMC)
    if (
        pmc is None
        or not Membership.objects.current()
        .filter(person=member, organization=pmc, role__in=OFFICER_ROLES)
        .exists()
    ):
        raise ValidationError(gettext("This person is not a current member of the PMC."))
    if campaign.targets.filter(member=member).exists():
        raise ValidationError(gettext("This member is already a target."))
    target = Target.objects.create(
        campaign=campaign, organization=pmc, member=member, position=campaign.targets.count()
    )
    _event(campaign, actor=actor, verb="target_add", note=str(target))
    return target


@transaction.atomic
def target_report_submit(*, actor, target: Target, text: str = "", pdf=None) -> Target:
    """File the target's 述职 report, as text and/or PDF (seed: 第三条 书面或口头述职)."""
    campaign = _lock(target.campaign)
    _require(may_submit_report(actor, target))
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


# --- roster and tokens ---------------------------------------------------------------


@transaction.atomic
def evaluator_add(
    *, actor, campaign: Campaign, name: str, category: str, person: Person | None = None
) -> Evaluator:
    """Add someone to the roster (seed: 第三条 党员、业主及居民群众代表、单位)."""
    campaign = _lock(campaign)
    _require(may_organize(actor, campaign))
    if campaign.state in Campaign.PUBLIC_STATES | {State.PRELIMINARY, State.PUBLICITY}:
        raise CampaignStateError(gettext("Scoring is over: the roster is closed."))
    name = (name or "").strip()
    if person is not None and not name:
        name = person.name
    if not name or len(name) > 100:
        raise ValidationError({"name": gettext("Enter a name of at most 100 characters.")})
    if category not in Evaluator.Category.values:
        raise ValidationError({"category": gettext("Choose a category.")})
    if person is not None and campaign.evaluators.filter(person=person).exists():
        raise ValidationError({"name": gettext("This person is already on the roster.")})
    evaluator = Evaluator.objects.create(
        campaign=campaign, name=name, category=category, person=person
    )
    _event(campaign, actor=actor, verb="evaluator_add")
    return evaluator


@dataclass(frozen=True)
class IssuedToken:
    evaluator: Evaluator
    token: str


@transaction.atomic
def tokens_issue(*, actor, campaign: Campaign) -> list[IssuedToken]:
    """Give every roster entry that has not voted a fresh one-time token (old ones die).

    Only the SHA-256 hash is stored; the tokens are returned once, to be printed
    on the slips.
    """
    campaign = _lock(campaign)
    _require(may_organize(actor, campaign))
    if campaign.state not in Campaign.EDITABLE_STATES | {State.SCORING}:
        raise CampaignStateError(gettext("Scoring is over: no more ballot slips."))
    used = set(
        TokenUse.objects.filter(target__campaign=campaign).values_list("evaluator_id", flat=True)
    )
    pending = set(
        PaperEntry.objects.filter(campaign=campaign)
        .exclude(state=PaperEntry.State.REJECTED)
        .values_list("evaluator_id", flat=True)
    )
    issued = []
    now = timezone.now()
    for evaluator in campaign.evaluators.exclude(pk__in=used | pending):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        evaluator.token_hash = token_hash(token)
        evaluator.token_issued_at = now
        evaluator.save(update_fields=["token_hash", "token_issued_at"])
        issued.append(IssuedToken(evaluator, token))
    _event(campaign, actor=actor, verb="tokens_issue", note=str(len(issued)))
    return issued


def evaluator_for_token(token: str) -> Evaluator | None:
    """The roster entry of a token, by hash (an indexed equality: no prefix timing, no list)."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    return (
        Evaluator.objects.select_related("campaign__compound")
        .filter(token_hash=token_hash(token))
        .first()
    )


def evaluator_open_targets(evaluator: Evaluator) -> list[Target]:
    done = TokenUse.objects.filter(evaluator=evaluator).values("target_id")
    pending = PaperEntry.objects.filter(evaluator=evaluator).exclude(
        state=PaperEntry.State.REJECTED
    )
    if pending.exists():
        return []
    return list(
        evaluator.campaign.targets.exclude(pk__in=done).select_related("organization", "member")
    )


# --- ballots -----------------------------------------------------------------------------


def scores_clean(
    *, campaign: Campaign, targets: list[Target], raw: Mapping[Any, Mapping[Any, Any]]
) -> dict[int, dict[int, Decimal]]:
    """Validate {target_id: {criterion_id: value}}: every criterion, each within 0..max.

    Raises a ValidationError whose dict keys are ``score_<target>_<criterion>``
    so forms can show each message next to its field.
    """
    from .results import campaign_criteria

    criteria = campaign_criteria(campaign)
    errors: dict[str, list[str]] = {}
    clean: dict[int, dict[int, Decimal]] = {}
    for target in targets:
        given = raw.get(target.pk) or raw.get(str(target.pk)) or {}
        clean[target.pk] = {}
        for criterion in criteria:
            key = f"score_{target.pk}_{criterion.pk}"
            value = given.get(criterion.pk, given.get(str(criterion.pk)))
            if value in (None, ""):
                errors[key] = [gettext("Score this criterion.")]
                continue
            try:
                number = Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                errors[key] = [gettext("Enter a number.")]
                continue
            if not number.is_finite() or number < 0 or number > criterion.max_score:
                errors[key] = [
                    gettext("Enter a score from 0 to %(max)s.") % {"max": criterion.max_score}
                ]
                continue
            if number * 2 != (number * 2).to_integral_value():
                errors[key] = [gettext("Use whole or half points.")]
                continue
            clean[target.pk][criterion.pk] = number
    if errors:
        raise ValidationError(errors)
    return clean


def _cast(campaign: Campaign, target: Target, scores: dict[int, Decimal], channel: str) -> None:
    ballot = Ballot.objects.create(
        campaign=campaign, target=target, channel=channel, submitted_on=timezone.localdate()
    )
    Score.objects.bulk_create(
        Score(ballot=ballot, criterion_id=criterion_id, value=value)
        for criterion_id, value in scores.items()
    )


@transaction.atomic
def ballot_submit(*, token: str, scores: Mapping[Any, Mapping[Any, Any]]) -> int:
    """Cast one evaluator's ballots for every target still open to them (seed: 第三条 量化测评).

    One ballot per evaluator per target (``TokenUse`` is unique); the token is
    spent once every target has been scored; submitted ballots never change.
    Returns the number of ballots cast.
    """
    evaluator = evaluator_for_token(token)
    if evaluator is None:
        raise BallotRefused(gettext("This ballot link is not valid."))
    evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    campaign = evaluator.campaign
    if campaign.state != State.SCORING:
        raise BallotRefused(gettext("Scoring is not open."))
    targets = evaluator_open_targets(evaluator)
    if not targets:
        raise BallotRefused(gettext("This ballot has already been submitted."))
    clean = scores_clean(campaign=campaign, targets=targets, raw=scores)
    for target in targets:
        TokenUse.objects.create(evaluator=evaluator, target=target)
        _cast(campaign, target, clean[target.pk], Ballot.Channel.ONLINE)
    return len(targets)


@transaction.atomic
def paper_entry_create(
    *, actor, campaign: Campaign, slip_code: str, scores: Mapping[Any, Mapping[Any, Any]]
) -> PaperEntry:
    """A clerk types in a paper ballot; a second clerk must confirm it (four eyes)."""
    _require(may_enter_paper(actor, campaign))
    campaign = _lock(campaign)
    if campaign.state != State.SCORING:
        raise CampaignStateError(gettext("Scoring is not open."))
    evaluator = evaluator_for_token(slip_code)
    if evaluator is None or evaluator.campaign_id != campaign.pk:
        raise ValidationError({"slip_code": gettext("No ballot slip has this code.")})
    evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    if (
        PaperEntry.objects.filter(evaluator=evaluator)
        .exclude(state=PaperEntry.State.REJECTED)
        .exists()
    ):
        raise ValidationError({"slip_code": gettext("This paper ballot was already entered.")})
    targets = list(campaign.targets.select_related("organization", "member"))
    if TokenUse.objects.filter(evaluator=evaluator).exists():
        raise ValidationError({"slip_code": gettext("This slip was already used online.")})
    clean = scores_clean(campaign=campaign, targets=targets, raw=scores)
    try:
        with transaction.atomic():
            entry = PaperEntry.objects.create(
                campaign=campaign,
                evaluator=evaluator,
                entered_by=actor,
                scores={
                    str(t): {str(c): str(v) for c, v in per.items()} for t, per in clean.items()
                },
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"slip_code": gettext("This paper ballot was already entered.")}
        ) from exc
    _event(campaign, actor=actor, verb="paper_enter")
    return entry


@transaction.atomic
def paper_entry_confirm(*, actor, entry: PaperEntry) -> None:
    """A second, different clerk confirms: the ballots are cast and the entry forgets them."""
    _require(may_enter_paper(actor, entry.campaign))
    campaign = _lock(entry.campaign)
    entry = PaperEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state != PaperEntry.State.PENDING:
        raise CampaignStateError(gettext("This entry was already checked."))
    if entry.entered_by_id == actor.pk:
        raise PermissionDenied(gettext("A second person must confirm a paper ballot."))
    if campaign.state != State.SCORING:
        raise CampaignStateError(gettext("Scoring is not open."))
    targets = {t.pk: t for t in campaign.targets.all()}
    for target_id, per in entry.scores.items():
        target = targets[int(target_id)]
        TokenUse.objects.create(evaluator_id=entry.evaluator_id, target=target)
        _cast(
            campaign,
            target,
            {int(c): Decimal(v) for c, v in per.items()},
            Ballot.Channel.PAPER,
        )
    entry.state = PaperEntry.State.CONFIRMED
    entry.scores = {}
    entry.checked_by = actor
    entry.checked_at = timezone.now()
    entry.save()
    _event(campaign, actor=actor, verb="paper_confirm")


@transaction.atomic
def paper_entry_reject(*, actor, entry: PaperEntry) -> None:
    """The second clerk found a typing error: the entry is dropped, the slip can be re-entered."""
    _require(may_enter_paper(actor, entry.campaign))
    entry = PaperEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state != PaperEntry.State.PENDING:
        raise CampaignStateError(gettext("This entry was already checked."))
    if entry.entered_by_id == actor.pk:
        raise PermissionDenied(gettext("A second person must check a paper ballot."))
    entry.state = PaperEntry.State.REJECTED
    entry.scores = {}
    entry.checked_by = actor
    entry.checked_at = timezone.now()
    entry.save()
    _event(entry.campaign, actor=actor, verb="paper_reject")


# --- objections ----------------------------------------------------------------------------


def may_object(user: Any, campaign: Campaign) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (
            is_resident_of_compound.test(user, campaign.compound)
            or is_staff_of_compound.test(user, campaign.compound)
        )
    )


@transaction.atomic
def objection_file(
    *, actor, campaign: Campaign, text: str, target: Target | None = None
) -> Objection:
    """Object to the preliminary results while they are publicised (seed: 第五条)."""
    _require(may_object(actor, campaign), gettext("Only residents of the compound may object."))
    campaign = _lock(campaign)
    now = timezone.now()
    if (
        campaign.state != State.PUBLICITY
        or campaign.publicity_end is None
        or now >= campaign.publicity_end
    ):
        raise CampaignStateError(gettext("The objection window is closed."))
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": gettext("Say what you object to (at least 5 characters).")})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": gettext("At most 2000 characters.")})
    if target is not None and target.campaign_id != campaign.pk:
        raise ValidationError({"target": gettext("Choose a target of this campaign.")})
    objection = Objection.objects.create(campaign=campaign, target=target, author=actor, text=text)
    _event(campaign, actor=actor, verb="objection")
    party = organization_of_kind(compound=campaign.compound, kind=Kind.COMMUNITY_PARTY)
    _notify_org(
        party,
        subject=gettext("New objection to the evaluation results"),
        body=text[:200],
        link=f"/evaluations/{campaign.pk}/manage/",
    )
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    campaign = _lock(objection.campaign)
    _require(may_organize(actor, campaign))
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at is not None:
        raise ValidationError(gettext("This objection was already answered."))
    answer = (answer or "").strip()
    if len(answer) < 5 or len(answer) > TEXT_MAX:
        raise ValidationError({"answer": gettext("Write an answer of 5 to 2000 characters.")})
    objection.answer = answer
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    _event(campaign, actor=actor, verb="objection_answer")
    notification_create(
        recipient=objection.author,
        channel="inbox",
        subject=gettext("Your objection was answered"),
        body=answer[:500],
        link=f"/evaluations/{campaign.pk}/results/",
    )
    return objection


# --- 红黑榜 (seed: 小区党组织服务承诺 第10条) ------------------------------------------------

RED_FROM = Decimal("85")
PASS_FROM = Decimal("60")
#: Weights of the three evidence parts; a missing part is left out and the rest reweighed.
RATING_WEIGHTS = {"complaint": Decimal("0.4"), "pledge": Decimal("0.3"), "survey": Decimal("0.3")}


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
    end = (
        dt.datetime(year + 1, 1, 1, tzinfo=tz)
        if quarter == 4
        else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=tz)
    )
    return start, end


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_rating_get(*, compound: Compound, year: int, quarter: int) -> QuarterRating | None:
    company = organization_of_kind(compound=compound, kind=Kind.PROPERTY_COMPANY)
    if company is None:
        return None
    rating, _created = QuarterRating.objects.get_or_create(
        company=company, year=year, quarter=quarter, defaults={"compound": compound}
    )
    return rating


@transaction.atomic
def survey_submit(
    *, actor, rating: QuarterRating, cleanliness: int, security: int, responsiveness: int
) -> SurveyResponse:
    """A resident answers the quarter's three-question survey once."""
    _require(
        bool(is_resident_of_compound.test(actor, rating.compound)),
        gettext("Only residents of the compound can answer the survey."),
    )
    if rating.verdict != QuarterRating.Verdict.PENDING:
        raise ValidationError(gettext("This quarter is already rated."))
    values = {"cleanliness": cleanliness, "security": security, "responsiveness": responsiveness}
    for key, value in values.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError({key: gettext("Choose 1 to 5.")})
    if SurveyResponse.objects.filter(rating=rating, respondent=actor).exists():
        raise ValidationError(gettext("You already answered this quarter's survey."))
    return SurveyResponse.objects.create(rating=rating, respondent=actor, **values)


def _survey_score(rating: QuarterRating) -> Decimal | None:
    rows = list(rating.responses.values_list("cleanliness", "security", "responsiveness"))
    if not rows:
        return None
    mean = sum(sum(r) for r in rows) / (3 * len(rows))
    return evidence_pct((mean - 1) / 4)


def evidence_pct(share: float | None) -> Decimal | None:
    return None if share is None else (Decimal(str(share)) * 100).quantize(Decimal("0.01"))


def may_rate_quarter(user: Any, compound: Compound) -> bool:
    return bool(can_organize_evaluation.test(user, compound)) or bool(
        can_run_meeting_office.test(user, compound)
    )


@transaction.atomic
def quarter_rate(*, actor, compound: Compound, year: int, quarter: int) -> QuarterRating:
    """Rate the property company for a quarter and raise the black-list alarm on a 2nd failure.

    Red ≥ 85, passed ≥ 60, black < 60 (of 100). Two consecutive black quarters
    flag the company to the compound party organization, once per streak
    (unique :class:`BlackListAlarm`; safe to run twice). ``actor`` None = beat.
    """
    if actor is not None:
        _require(may_rate_quarter(actor, compound))
    if not 1 <= quarter <= 4:
        raise ValidationError(gettext("A quarter is 1 to 4."))
    rating = quarter_rating_get(compound=compound, year=year, quarter=quarter)
    if rating is None:
        raise ValidationError(gettext("The compound has no property company."))
    rating = QuarterRating.objects.select_for_update().get(pk=rating.pk)
    start, end = quarter_bounds(year, quarter)
    rating.complaint_score = evidence_pct(
        evidence.complaint_score(
            compound=compound, organization=rating.company, start=start, end=end
        )
    )
    rating.pledge_score = evidence_pct(
        evidence.pledge_score(compound=compound, organization=rating.company, year=year)
    )
    rating.survey_score = _survey_score(rating)
    parts = {
        "complaint": rating.complaint_score,
        "pledge": rating.pledge_score,
        "survey": rating.survey_score,
    }
    present = {k: v for k, v in parts.items() if v is not None}
    if present:
        weight = sum(RATING_WEIGHTS[k] for k in present)
        rating.total = (sum(RATING_WEIGHTS[k] * v for k, v in present.items()) / weight).quantize(
            Decimal("0.01")
        )
        if rating.total >= RED_FROM:
            rating.verdict = QuarterRating.Verdict.RED
        elif rating.total >= PASS_FROM:
            rating.verdict = QuarterRating.Verdict.NEUTRAL
        else:
            rating.verdict = QuarterRating.Verdict.BLACK
    else:
        rating.total = None
        rating.verdict = QuarterRating.Verdict.PENDING
    rating.rated_at = timezone.now()
    rating.save()
    if rating.failing:
        _black_list_alarm(rating)
    return rating


def _black_list_alarm(rating: QuarterRating) -> BlackListAlarm | None:
    prev_year, prev_q = previous_quarter(rating.year, rating.quarter)
    previous = QuarterRating.objects.filter(
        company=rating.company, year=prev_year, quarter=prev_q
    ).first()
    if previous is None or not previous.failing:
        return None
    # Walk back to the first failing quarter of the streak: one alarm per streak.
    start = previous
    while True:
        y, q = previous_quarter(start.year, start.quarter)
        earlier = QuarterRating.objects.filter(company=rating.company, year=y, quarter=q).first()
        if earlier is None or not earlier.failing:
            break
        start = earlier
    alarm, created = BlackListAlarm.objects.get_or_create(
        company=rating.company, streak_start=start, defaults={"rating": rating}
    )
    if created:
        party = organization_of_kind(compound=rating.compound, kind=Kind.COMPOUND_PARTY)
        _notify_org(
            party,
            subject=gettext("Red/black list: %(company)s failed two quarters in a row")
            % {"company": rating.company.name},
            body=gettext(
                "Report to the authorities at year end and suggest the owners' assembly "
                "start the dismissal procedure (小区党组织服务承诺 第10条)."
            ),
            link="/evaluations/redblack/",
        )
    return alarm
