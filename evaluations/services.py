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
import itertools
import logging
import random
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from huashan.core.services import acting_person, require_perm
from huashan.directory.models import Community, Compound, Membership, Organization, Person
from huashan.directory.rules import (
    OFFICER_ROLES,
    STAFF_ROLES,
)
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notification_create

from . import evidence
from . import rules as perms
from .models import (
    Ballot,
    BlackListAlarm,
    Campaign,
    CampaignEvent,
    Criterion,
    CriterionGroup,
    DecemberReminder,
    EvaluationDocument,
    Evaluator,
    Objection,
    PaperEntry,
    PendingBallot,
    QuarterRating,
    Score,
    SurveyResponse,
    Target,
    TokenUse,
    YearEndReferral,
    YearEndReferralEvent,
)

State = Campaign.State
Kind = Organization.Kind
logger = logging.getLogger(__name__)

TOKEN_BYTES = 18
TEXT_MAX = 2000
REPORT_TEXT_MAX = 20000
REPORT_PDF_MAX = 10 * 1024 * 1024
#: How many cast ballots stay in the holding area while the sweep writes the rest
#: (a pool mix): every ballot written is a random one of at least this many waiting
#: ones, so neither its row nor its transaction follows the order people voted in.
#: Everything is written when scoring closes (评议监督考核制度 第五条 初步结果).
BALLOT_POOL = 10
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


# --- permissions (predicates in evaluations/rules.py) ------------------------------
#
# The ``may_*`` names stay for views, templates and other apps; each is the
# rule itself. Services check with ``require_perm`` (or ``_require_rule`` where a
# superuser must not pass by default: objections and the survey are residents'
# voice), exactly as the other apps do.

RESULTS_STATES = perms.RESULTS_STATES
RESULTS_PUBLIC_STATES = perms.RESULTS_PUBLIC_STATES
_scope = perms.scope_compounds
is_target_member = perms.is_target_member.test
may_organize = perms.can_organize.test
may_approve = perms.can_approve.test
may_enter_paper = perms.can_enter_paper.test
may_view_staff = perms.can_view_staff.test
may_view_results = perms.can_view_results.test
may_submit_report = perms.can_submit_report.test
may_object = perms.can_object.test
may_rate_quarter = perms.can_rate_quarter.test


def may_prepare_referral(user: Any, compound: Compound) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "evaluations.prepare_referral", compound
    )


def may_view_referral(user: Any, compound: Compound) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "evaluations.view_referral", compound
    )


def _denied() -> str:
    return gettext("You may not do this.")


def _require_rule(actor, name: str, obj, message: str) -> None:
    """Like ``require_perm`` but without the superuser pass of ``has_perm``."""
    if acting_person(actor) is None or not rules.test_rule(name, actor, obj):
        raise PermissionDenied(message)


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


def _officers(organization: Organization, roles=OFFICER_ROLES):
    """Active people holding a current seat of ``roles`` in ``organization``."""
    return Person.objects.filter(
        memberships__in=Membership.objects.current().filter(
            organization=organization, role__in=roles
        ),
        is_active=True,
    ).distinct()


def _notify_org(
    organization: Organization | None, *, subject: str, body: str, link="", roles=OFFICER_ROLES
) -> None:
    if organization is None:
        return
    for person in _officers(organization, roles):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


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
        require_perm(
            actor, "evaluations.approve", campaign, gettext("Only the street approves the results.")
        )
    else:
        require_perm(actor, "evaluations.organize", campaign, _denied())
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
    if to_state == State.PRELIMINARY:
        # 第五条 初步结果: every cast ballot counts, and the roster forgets who is who
        # (the slips are printed and scoring is over: the names stay, the accounts go).
        ballots_flush(campaign=campaign, keep=0)
        campaign.evaluators.filter(person__isnull=False).update(person=None)
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
    """Evaluate an individual PMC member too (the 60 % rule of the PMC pledge, item 4)."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    _require_editable(campaign)
    pmcs = [organization_of_kind(compound=c, kind=Kind.PMC) for c in campaign.compounds]
    seat = (
        Membership.objects.current()
        .filter(person=member, organization__in=[p for p in pmcs if p], role__in=OFFICER_ROLES)
        .select_related("organization")
        .first()
    )
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
        position=campaign.targets.count(),
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


# --- roster and tokens ---------------------------------------------------------------


@transaction.atomic
def evaluator_add(
    *, actor, campaign: Campaign, name: str, category: str, person: Person | None = None
) -> Evaluator:
    """Add someone to the roster (seed: 第三条 党员、业主及居民群众代表、单位)."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
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
    require_perm(actor, "evaluations.organize", campaign, _denied())
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
        Evaluator.objects.select_related("campaign__compound", "campaign__community")
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


def _hold(campaign: Campaign, target: Target, scores: dict[int, Decimal], channel: str) -> None:
    """Drop a cast ballot into the holding area (issue 14 item 2): no evaluator, no time."""
    PendingBallot.objects.create(
        campaign=campaign,
        target=target,
        channel=channel,
        scores={str(c): str(v) for c, v in scores.items()},
    )


_shuffle = random.SystemRandom()


@transaction.atomic
def ballots_flush(*, campaign: Campaign, keep: int = BALLOT_POOL) -> int:
    """Write waiting ballots into ``Ballot`` / ``Score`` in a shuffled batch; return how many.

    seed: 评议监督考核制度 第三条 (民主测评 — a secret ballot). All but ``keep``
    waiting ballots are written, chosen at random and in random order, with
    random keys and only the day they were recorded. The "token used" marks of
    the campaign are rewritten in the same transaction, so the transaction id
    PostgreSQL stamps on a row (``xmin``) no longer tells which mark was made
    with which ballot. Safe to run twice; ``keep=0`` writes everything (at the
    close of scoring).
    """
    campaign = _lock(campaign)
    waiting = list(PendingBallot.objects.select_for_update().filter(campaign=campaign))
    if not waiting:
        return 0
    # Even when nothing is written yet, the marks stop sharing a transaction with the
    # waiting ballots: the link a live database shows lasts at most one sweep.
    TokenUse.objects.filter(target__campaign=campaign).update(target_id=F("target_id"))
    if len(waiting) <= keep:
        return 0
    _shuffle.shuffle(waiting)
    batch = waiting[: len(waiting) - keep]
    today = timezone.localdate()
    ballots = [
        Ballot(
            id=uuid.uuid4(),
            campaign=campaign,
            target_id=p.target_id,
            channel=p.channel,
            submitted_on=today,
        )
        for p in batch
    ]
    Ballot.objects.bulk_create(ballots)
    scores = [
        Score(id=uuid.uuid4(), ballot=ballot, criterion_id=int(c), value=Decimal(v))
        for ballot, p in zip(ballots, batch, strict=True)
        for c, v in p.scores.items()
    ]
    _shuffle.shuffle(scores)
    Score.objects.bulk_create(scores)
    PendingBallot.objects.filter(pk__in=[p.pk for p in batch]).delete()
    return len(batch)


def ballots_sweep(*, keep: int = BALLOT_POOL) -> int:
    """The periodic sweep: flush every campaign with more than ``keep`` waiting ballots.

    A campaign whose scoring has closed is flushed whole (it normally was, on
    closing; this catches a close that predates the holding area).
    """
    written = 0
    ids = PendingBallot.objects.values_list("campaign_id", flat=True).distinct()
    for campaign in Campaign.objects.filter(pk__in=list(ids)):
        written += ballots_flush(
            campaign=campaign, keep=keep if campaign.state == State.SCORING else 0
        )
    return written


def turnout(campaign: Campaign) -> tuple[int, int]:
    """(evaluators who have voted, evaluators on the roster): the only progress shown."""
    voted = (
        TokenUse.objects.filter(target__campaign=campaign).values("evaluator_id").distinct().count()
    )
    return voted, campaign.evaluators.count()


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
    # The campaign row is locked first, as closing the scoring does: a ballot either lands
    # before the close (and the close writes it) or sees the scoring closed.
    campaign = _lock(evaluator.campaign)
    evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    evaluator.campaign = campaign
    if campaign.state != State.SCORING:
        raise BallotRefused(gettext("Scoring is not open."))
    targets = evaluator_open_targets(evaluator)
    if not targets:
        raise BallotRefused(gettext("This ballot has already been submitted."))
    clean = scores_clean(campaign=campaign, targets=targets, raw=scores)
    for target in targets:
        TokenUse.objects.create(evaluator=evaluator, target=target)
        _hold(campaign, target, clean[target.pk], Ballot.Channel.ONLINE)
    return len(targets)


@transaction.atomic
def paper_entry_create(
    *, actor, campaign: Campaign, slip_code: str, scores: Mapping[Any, Mapping[Any, Any]]
) -> PaperEntry:
    """A clerk types in a paper ballot; a second clerk must confirm it (four eyes)."""
    require_perm(actor, "evaluations.enter_paper", campaign, _denied())
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
    require_perm(actor, "evaluations.enter_paper", entry.campaign, _denied())
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
        _hold(
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
    require_perm(actor, "evaluations.enter_paper", entry.campaign, _denied())
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


@transaction.atomic
def objection_file(
    *, actor, campaign: Campaign, text: str, target: Target | None = None
) -> Objection:
    """Object to the preliminary results while they are publicised (seed: 第五条)."""
    _require_rule(
        actor,
        "evaluations.object",
        campaign,
        gettext("Only residents of the compound may object."),
    )
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
    party = organization_of_kind(compound=campaign.compounds[0], kind=Kind.COMMUNITY_PARTY)
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
    require_perm(actor, "evaluations.organize", campaign, _denied())
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
    _require_rule(
        actor,
        "evaluations.answer_survey",
        rating,
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


@transaction.atomic
def quarter_rate(*, actor, compound: Compound, year: int, quarter: int) -> QuarterRating:
    """Rate the property company for a quarter and raise the black-list alarm on a 2nd failure.

    Red ≥ 85, passed ≥ 60, black < 60 (of 100). Two consecutive black quarters
    flag the company to the compound party organization, once per streak
    (unique :class:`BlackListAlarm`; safe to run twice). ``actor`` None = beat.
    """
    if actor is not None:
        require_perm(actor, "evaluations.rate_quarter", compound, _denied())
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


# --- quarterly beat and the year-end referral (小区党组织服务承诺 第10条) ----------------------


def quarters_rate_previous(*, today: dt.date | None = None) -> list[QuarterRating]:
    """Beat: rate the previous quarter for every compound with a property company.

    seed: 小区党组织服务承诺 第10条 (红黑榜季度考评机制). Idempotent: a quarter already
    rated (verdict not pending) is left alone, so running twice rates nothing new;
    the black-list alarm is unique per streak anyway. System actor (``actor=None``).
    """
    today = today or timezone.localdate()
    year, quarter = previous_quarter(today.year, (today.month - 1) // 3 + 1)
    compounds = Compound.objects.filter(organizations__kind=Kind.PROPERTY_COMPANY).distinct()
    rated_companies = set(
        QuarterRating.objects.filter(year=year, quarter=quarter)
        .exclude(verdict=QuarterRating.Verdict.PENDING)
        .values_list("company_id", flat=True)
    )
    rated = []
    for compound in compounds.order_by("pk"):
        company = organization_of_kind(compound=compound, kind=Kind.PROPERTY_COMPANY)
        if company is None or company.pk in rated_companies:
            continue
        rated.append(quarter_rate(actor=None, compound=compound, year=year, quarter=quarter))
        rated_companies.add(company.pk)
    return rated


def referral_failing_quarters(*, company: Organization, year: int) -> list[QuarterRating]:
    """The company's black quarters of ``year`` when it failed two in a row ending that year.

    A streak counts for the year of its second failing quarter (the alarm's
    quarter); its first quarter may lie in December of the year before.
    """
    alarms = list(
        BlackListAlarm.objects.filter(company=company, rating__year=year).values_list(
            "streak_start_id", flat=True
        )
    )
    if not alarms:
        return []
    return list(
        QuarterRating.objects.filter(company=company, verdict=QuarterRating.Verdict.BLACK)
        .filter(Q(year=year) | Q(pk__in=alarms))
        .annotate(responses_count=Count("responses"))
        .order_by("year", "quarter")
    )


def referral_authorities(*, compound: Compound):
    """Street-level bodies a report can be addressed to (街道党工委、街道物业专委会、职能部门)."""
    from huashan.directory.selectors import compound_organizations

    return compound_organizations(compound=compound).filter(kind__in=Organization.STREET_KINDS)


def _referral_texts(
    compound: Compound, company: Organization, year: int, quarters: list[dict], authority
) -> tuple[str, str]:
    """The report to the authority and the suggestion to the owners' assembly (document wording)."""
    party = organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)
    lines = [
        f"{q['year']}年第{q['quarter']}季度：综合得分{q['total']}分"
        f"（投诉处理{q['complaint'] or '—'}，承诺履行{q['pledge'] or '—'}，"
        f"居民测评{q['survey'] or '—'}，{q['responses']}份问卷），列入黑榜"
        for q in quarters
    ]
    report = (
        f"{authority.name if authority else '主管部门'}：\n"
        f"根据《小区党组织服务承诺》第10条“建立物业服务‘红黑榜’季度考评机制，对连续不达标企业，"
        f"在年底上报主管部门进行考评”，现将{compound.name}物业服务企业{company.name}"
        f"{year}年度季度考评情况报告如下：\n"
        + "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
        + f"\n上述季度考评均不达标（低于{PASS_FROM}分），该企业属连续不达标企业，"
        "特此上报，请予考评。\n"
        f"{party.name if party else compound.name + '党组织'}"
    )
    suggestion = (
        f"鉴于{company.name}在{year}年度物业服务“红黑榜”季度考评中连续不达标，"
        f"依据《小区党组织服务承诺》第10条，建议业主大会启动解聘该物业服务企业的程序。"
        f"选聘和解聘物业服务企业属《中华人民共和国民法典》第二百七十八条第一款第（四）项事项，"
        f"应由专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决，"
        f"经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。"
    )
    return report, suggestion


def _quarter_snapshot(rating: QuarterRating) -> dict:
    def num(value):
        return None if value is None else str(value)

    return {
        "year": rating.year,
        "quarter": rating.quarter,
        "complaint": num(rating.complaint_score),
        "pledge": num(rating.pledge_score),
        "survey": num(rating.survey_score),
        "total": num(rating.total),
        "responses": getattr(rating, "responses_count", 0),
        "rated_at": rating.rated_at.isoformat() if rating.rated_at else "",
    }


def _referral_event(referral: YearEndReferral, *, actor, verb, from_state="", to_state="", note=""):
    YearEndReferralEvent.objects.create(
        referral=referral,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _referral_build(
    *, actor, compound: Compound, company: Organization, year: int
) -> tuple[YearEndReferral | None, bool]:
    """Create the draft, or refresh a draft's snapshot; (referral, created). None: no streak."""
    ratings = referral_failing_quarters(company=company, year=year)
    if len(ratings) < 2:
        return None, False
    quarters = [_quarter_snapshot(r) for r in ratings]
    existing = YearEndReferral.objects.select_for_update().filter(company=company, year=year)
    referral = existing.first()
    if referral is not None:
        if referral.state == YearEndReferral.State.DRAFT and referral.quarters != quarters:
            referral.quarters = quarters
            referral.report_text, referral.suggestion_text = _referral_texts(
                compound, company, year, quarters, referral.authority
            )
            referral.save(update_fields=["quarters", "report_text", "suggestion_text"])
            _referral_event(referral, actor=actor, verb="refresh", note=str(len(quarters)))
        return referral, False
    authority = organization_of_kind(compound=compound, kind=Kind.STREET_OFFICE)
    report, suggestion = _referral_texts(compound, company, year, quarters, authority)
    try:
        with transaction.atomic():
            referral = YearEndReferral.objects.create(
                compound=compound,
                company=company,
                year=year,
                authority=authority,
                quarters=quarters,
                report_text=report,
                suggestion_text=suggestion,
            )
    except IntegrityError:  # a concurrent run created it first
        return YearEndReferral.objects.get(company=company, year=year), False
    _referral_event(referral, actor=actor, verb="create", to_state=referral.state)
    return referral, True


@transaction.atomic
def year_end_referral_create(*, actor, compound: Compound, year: int) -> YearEndReferral:
    """The compound party organization prepares the year's report now (button).

    seed: 小区党组织服务承诺 第10条. Refused when the company did not fail two
    quarters in a row that year, or when the report already exists.
    """
    require_perm(
        actor,
        "evaluations.prepare_referral",
        compound,
        gettext("Only the compound party organization prepares this report."),
    )
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": gettext("Enter a year between 2000 and 2100.")})
    company = organization_of_kind(compound=compound, kind=Kind.PROPERTY_COMPANY)
    if company is None:
        raise ValidationError(gettext("The compound has no property company."))
    if YearEndReferral.objects.filter(company=company, year=year).exists():
        raise ValidationError(
            gettext("The year-end report for %(year)s already exists.") % {"year": year}
        )
    referral, _created = _referral_build(actor=actor, compound=compound, company=company, year=year)
    if referral is None:
        raise ValidationError(
            gettext("The company did not fail two quarters in a row in %(year)s.") % {"year": year}
        )
    return referral


def year_end_referral_year(today: dt.date) -> int | None:
    """Which year the year-end scan covers on ``today``: December → this year, January → last."""
    if today.month == 12:
        return today.year
    if today.month == 1:
        return today.year - 1
    return None


@transaction.atomic
def year_end_referrals_scan(*, year: int) -> list[YearEndReferral]:
    """Beat: a draft report for every company with a failing streak ending in ``year``.

    seed: 小区党组织服务承诺 第10条 ("在年底上报主管部门"). Safe to run twice: one
    referral per company and year (unique); a draft is refreshed, a submitted one
    is never touched. The compound party officers are told about each new draft.
    """
    created = []
    companies = (
        BlackListAlarm.objects.filter(rating__year=year)
        .values_list("company_id", "rating__compound_id")
        .distinct()
        .order_by("company_id")
    )
    for company_id, compound_id in companies:
        compound = Compound.objects.get(pk=compound_id)
        company = Organization.objects.get(pk=company_id)
        referral, was_created = _referral_build(
            actor=None, compound=compound, company=company, year=year
        )
        if was_created:
            created.append(referral)
            _notify_org(
                organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY),
                subject=gettext("Year-end report on %(company)s is ready to check")
                % {"company": company.name},
                body=gettext(
                    "Check the report to the authority and the suggestion to the owners' "
                    "assembly, then submit them (小区党组织服务承诺 第10条)."
                ),
                link=f"/evaluations/redblack/referrals/{referral.pk}/",
            )
    return created


@transaction.atomic
def year_end_referral_submit(
    *, actor, referral: YearEndReferral, authority: Organization | None = None
) -> YearEndReferral:
    """Submit the report to the authority and the suggestion to the owners' assembly.

    seed: 小区党组织服务承诺 第10条. The authority's staff and the PMC officers (who
    put matters to the owners' assembly, 协同联动 第二条) are notified.
    """
    referral = YearEndReferral.objects.select_for_update().get(pk=referral.pk)
    require_perm(
        actor,
        "evaluations.prepare_referral",
        referral.compound,
        gettext("Only the compound party organization submits this report."),
    )
    if referral.state != YearEndReferral.State.DRAFT:
        raise CampaignStateError(gettext("This report was already submitted."))
    if authority is not None:
        if not referral_authorities(compound=referral.compound).filter(pk=authority.pk).exists():
            raise ValidationError({"authority": gettext("Choose a street-level authority.")})
        if authority.pk != referral.authority_id:
            referral.authority = authority
            referral.report_text, _s = _referral_texts(
                referral.compound, referral.company, referral.year, referral.quarters, authority
            )
    if referral.authority_id is None:
        raise ValidationError({"authority": gettext("Choose a street-level authority.")})
    old = referral.state
    referral.state = YearEndReferral.State.SUBMITTED
    referral.submitted_at = timezone.now()
    referral.save()
    _referral_event(
        referral,
        actor=actor,
        verb="submit",
        from_state=old,
        to_state=referral.state,
        note=referral.authority.name,
    )
    link = f"/evaluations/redblack/referrals/{referral.pk}/"
    subject = gettext("Red/black list: year-end report on %(company)s (%(year)s)") % {
        "company": referral.company.name,
        "year": referral.year,
    }
    _notify_org(
        referral.authority,
        subject=subject,
        body=referral.report_text[:500],
        link=link,
        roles=STAFF_ROLES,
    )
    _notify_org(
        organization_of_kind(compound=referral.compound, kind=Kind.PMC),
        subject=subject,
        body=referral.suggestion_text[:500],
        link=link,
    )
    return referral


@transaction.atomic
def year_end_referral_propose_motion(*, actor, referral: YearEndReferral):
    """The PMC puts the suggestion to the owners' assembly as a draft motion, once.

    seed: 小区党组织服务承诺 第10条 (建议业主大会启动解聘程序); 民法典第278条 (四)
    (选聘和解聘物业服务企业). The motion is created by ``meetings.services.motion_propose``,
    which lets only PMC officers propose (协同联动 第二条), so the party organization's
    suggestion becomes a motion when a PMC officer adopts it here.
    """
    from meetings import services as meeting_services
    from meetings.models import OwnersAssemblyMotion

    referral = YearEndReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.state != YearEndReferral.State.SUBMITTED:
        raise CampaignStateError(gettext("Submit the report before proposing the motion."))
    if referral.motion_id is not None:
        raise ValidationError(gettext("The motion was already proposed."))
    motion = meeting_services.motion_propose(
        actor=actor,
        compound=referral.compound,
        title=f"关于启动解聘{referral.company.name}程序的议案"[:200],
        body=referral.suggestion_text,
        matter=OwnersAssemblyMotion.Matter.COMPANY_SELECTION,
        working_group="小区党组织（红黑榜年终考评）",
    )
    referral.motion = motion
    referral.save(update_fields=["motion"])
    _referral_event(referral, actor=actor, verb="motion", note=f"#{motion.pk}")
    return motion


# --- PDFs rendered by the worker (DESIGN.md §4 "PDF") ------------------------------------------


def document_version(*, campaign: Campaign, kind: str, target: Target | None = None) -> str:
    """What the PDF shows: state, ballots, last event; evidence also changes with the day.

    The evidence pack does not show ballots, so their count is not part of its version:
    nothing about it moves while scoring runs (issue 14 item 1).
    """
    last_event = campaign.events.order_by("-pk").values_list("pk", flat=True).first() or 0
    if kind == EvaluationDocument.Kind.EVIDENCE:
        return f"{campaign.state}:{last_event}:{timezone.localdate():%Y%m%d}"
    ballots = Ballot.objects.filter(campaign=campaign).count()
    return f"{campaign.state}:{ballots}:{last_event}"


def document_current(
    *, campaign: Campaign, kind: str, target: Target | None = None
) -> EvaluationDocument:
    """The PDF row of the current version; created (and dispatched after commit) if missing.

    Callers check who may see the document (the results / evidence rules of the
    pages). One row per version (unique), so repeated requests queue nothing new.
    """
    version = document_version(campaign=campaign, kind=kind, target=target)
    try:
        with transaction.atomic():
            document, created = EvaluationDocument.objects.get_or_create(
                campaign=campaign, kind=kind, target=target, version=version
            )
    except IntegrityError:
        document = EvaluationDocument.objects.get(
            campaign=campaign, kind=kind, target=target, version=version
        )
        created = False
    if created:
        _document_dispatch(document.pk)
    return document


def _document_dispatch(document_id: int) -> None:
    def dispatch() -> None:
        from .tasks import render_document

        try:
            render_document.delay(document_id)
        except Exception:  # the broker is down: the sweep renders it later
            logger.exception("could not dispatch evaluation document %s", document_id)

    transaction.on_commit(dispatch)


def document_render(*, document_id: int) -> EvaluationDocument | None:
    """Render one pending document (idempotent: a ready row is left alone)."""
    from huashan.core.documents import document_store
    from huashan.pdf import render_pdf

    from .results import campaign_results

    document = (
        EvaluationDocument.objects.select_related("campaign__compound", "target__organization")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.status == EvaluationDocument.Status.READY:
        return document
    campaign = document.campaign

    def render() -> bytes:
        if document.kind == EvaluationDocument.Kind.RESULTS:
            return render_pdf(
                "pdf/evaluations/results.html",
                {
                    "campaign": campaign,
                    "results": campaign_results(campaign),
                    "final": campaign.results_public,
                    "generated": timezone.localtime(),
                },
            )
        return render_pdf(
            "pdf/evaluations/evidence.html",
            {
                "campaign": campaign,
                "target": document.target,
                "sections": evidence.evidence_pack(target=document.target),
                "generated": timezone.localtime(),
            },
        )

    return document_store(document, render, filename=f"{document.kind}.pdf")


def documents_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Render documents still pending after ``older_than`` (lost dispatch or a killed worker)."""
    from huashan.core.documents import documents_sweep_pending

    return documents_sweep_pending(EvaluationDocument, document_render, older_than=older_than)


# --- the December reminder (评议监督考核制度 第一条 "每年12月") ----------------------------


def campaign_december_reminders(*, today: dt.date | None = None) -> list[Community]:
    """Remind each community party organization, once a year, to open December's campaign.

    seed: 评议监督考核制度 第一条 (社区党组织具体负责, 每年12月开展). Runs in December only;
    a community is reminded while one of its compounds is covered by no campaign of
    the year (its own or the community's). "Once" is a unique
    :class:`DecemberReminder` row per community and year, written in the same
    transaction as the notifications, so the beat may run daily (or twice at once).
    Returns the communities whose party organization was reminded this run.
    """
    from django.urls import reverse

    today = today or timezone.localdate()
    if today.month != 12:
        return []
    year = today.year
    campaigns = Campaign.objects.filter(year=year)
    covered = set(campaigns.exclude(compound=None).values_list("compound_id", flat=True))
    covered_communities = set(
        campaigns.exclude(community=None).values_list("community_id", flat=True)
    )
    link = reverse("evaluations:list")
    reminded = []
    communities = (
        Community.objects.filter(compounds__isnull=False)
        .exclude(pk__in=covered_communities)
        .exclude(pk__in=DecemberReminder.objects.filter(year=year).values("community_id"))
        .distinct()
        .prefetch_related("compounds")
    )
    parties = {
        org.community_id: org
        for org in Organization.objects.filter(
            kind=Organization.Kind.COMMUNITY_PARTY, community__in=communities
        )
    }
    for community in communities:
        waiting = [c.name for c in community.compounds.all() if c.pk not in covered]
        party = parties.get(community.pk)
        if not waiting or party is None:
            continue
        if _december_remind(community, party, year=year, waiting=waiting, link=link):
            reminded.append(community)
    return reminded


def _december_remind(community: Community, party, *, year: int, waiting: list[str], link: str):
    """Write the alarm row and the reminders, or nothing if another run wrote the row."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Open the %(year)s democratic evaluation of the three parties") % {
            "year": year
        }
        body = gettext(
            "No campaign covers %(compounds)s for %(year)s yet. The community party "
            "organization opens the December evaluation of the residents' committee, the "
            "PMC and the property company (评议监督考核制度 第一条)."
        ) % {"compounds": "、".join(waiting), "year": year}
    officers = list(_officers(party))
    if not officers:  # nobody to tell yet: no row, so a later run tells the first officer
        return False
    try:
        with transaction.atomic():
            DecemberReminder.objects.create(community=community, year=year)
            for person in officers:
                notification_create(
                    recipient=person, channel="inbox", subject=subject, body=body, link=link
                )
    except IntegrityError:
        return False
    return True
