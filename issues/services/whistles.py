"""Whistles and supervision: 社区吹哨、党员报到, 街道吹哨、部门报到 and supervision orders
(seed: 协同联动 第三条、第四条; 第二条 督办).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import require_perm as _require
from huashan.directory.models import (
    Organization,
    Person,
)

from ..legacy import JointExplanation, JointExplanationConfirmation, LegacyReport
from ..models import (
    Issue,
    IssueEvent,
    SupervisionOrder,
    Whistle,
    WhistleSummons,
)
from ._common import (
    IssueStateError,
    Tier,
    _event,
    _locked,
    _require_open,
    _sync,
    _text,
    closing_explanation_clean,
    staff_link,
)
from .clocks import (
    _make_complex,
    _refresh_next_deadline,
    _restart_legacy_clock,
    clock_policy_for,
    clocks_for,
)
from .closing import _summons_label
from .notifications import _notify_person, _notify_reporter, notify_organization
from .routing import _covering_org

# --- whistles and supervision -------------------------------------------------------


def whistle_blow(
    *,
    actor,
    issue: Issue,
    level: str,
    organizations: Iterable[Organization] = (),
    persons: Iterable[Person] = (),
    reason: str,
    report_due: dt.datetime | None = None,
    street_referral=None,
) -> Whistle:
    """社区吹哨、党员报到 (协同联动 第三条) / 街道吹哨、部门报到 (第四条).

    Each summoned organization and person must report in (报到) by
    ``report_due`` (default: the compound's response time, 48 h).

    The street whistle is blown only by the community party organization's request to
    the street on the joint meeting's proposal (第四条 "小区联席会议应研究并提出建议，报社区
    党组织。社区党组织应及时提请街道运用'街道吹哨、部门报到'机制"):
    ``meetings.services.street_referral_request`` passes the requested ``street_referral``
    and links the whistle to it. Without one a street whistle is refused.
    """
    reason = _text(reason, field_name="reason")
    organizations, persons = _whistle_parties(level, organizations, persons)
    perm = (
        "issues.blow_street_whistle"
        if level == Whistle.Level.STREET
        else "issues.blow_community_whistle"
    )
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(actor, perm, locked, gettext("You may not blow this whistle."))
        _require_street_referral(locked, level, street_referral)
        _require_open(locked)
        for org in organizations:
            _covering_org(locked.compound, org, "organizations")
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        report_due = report_due or workdays.deadline(now, clocks.response)
        if report_due <= now:
            raise ValidationError(
                {"report_due": [_("The report-in deadline must be in the future.")]},
                code="past_due",
            )
        whistle = Whistle.objects.create(
            issue=locked,
            level=level,
            blown_by=person,
            blown_at=now,
            report_due=report_due,
            reason=reason,
        )
        summonses = [WhistleSummons(whistle=whistle, organization=o) for o in organizations]
        summonses += [WhistleSummons(whistle=whistle, person=p) for p in persons]
        WhistleSummons.objects.bulk_create(summonses)
        _whistle_escalate(locked, person, reason)
        _make_complex(locked, clocks, now)
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _whistle_announce(locked, whistle, person, organizations, persons, reason)
    _sync(issue, locked)
    return whistle


#: Where a street whistle comes from (协同联动 第四条), told to whoever tries to blow one
#: directly — on the staff page and through the API.
STREET_WHISTLE_WAY = _(
    "The street whistle is blown by asking the street: the joint meeting proposes "
    "taking the complaint to the street, then the community party organization asks "
    "the street on the page “Problems taken to the street”."
)


def _require_street_referral(issue: Issue, level: str, referral) -> None:
    """A street whistle only on this complaint's referral the community party organization
    has just asked the street about, once (协同联动 第四条); a community whistle on none."""
    if level != Whistle.Level.STREET:
        if referral is not None:
            message = _("Only the street whistle belongs to a referral to the street.")
            raise ValidationError({"level": ValidationError(message, code="not_street")})
        return
    if (
        referral is None
        or referral.issue_id != issue.pk
        or referral.status != type(referral).Status.REQUESTED
        or referral.street_whistle_id is not None
    ):
        raise ValidationError(
            {"level": ValidationError(STREET_WHISTLE_WAY, code="street_via_referral")}
        )


def _whistle_parties(level: str, organizations, persons) -> tuple[list, list]:
    """The level is known and at least one active party is summoned (no duplicates)."""
    if level not in Whistle.Level.values:
        raise ValidationError({"level": [_("Choose a whistle level.")]}, code="invalid_level")
    organizations = list(dict.fromkeys(o for o in organizations or () if o is not None))
    persons = list(dict.fromkeys(p for p in persons or () if p is not None))
    if not organizations and not persons:
        raise ValidationError(
            {"organizations": [_("Summon at least one organization or person.")]},
            code="required",
        )
    inactive = [p for p in persons if not p.is_active]
    if inactive:
        raise ValidationError(
            {"persons": [_("Only active people can be summoned.")]}, code="invalid_person"
        )
    return organizations, persons


def _whistle_escalate(locked: Issue, person, reason: str) -> None:
    """A whistle makes a small or big matter a hard one (协同联动 第三条、第四条)."""
    if locked.tier in (Tier.SMALL, Tier.BIG):
        old_tier = locked.tier
        locked.tier = Tier.HARD
        _event(
            locked,
            actor=person,
            verb="tier",
            note=gettext("Tier changed from “%(old)s” to “%(new)s”: %(reason)s")
            % {"old": Tier(old_tier).label, "new": Tier.HARD.label, "reason": reason},
            public=True,
        )


def _whistle_announce(locked: Issue, whistle: Whistle, person, organizations, persons, reason):
    """The public timeline entry and the summons sent to every party (报到 by the due time)."""
    level, report_due = whistle.level, whistle.report_due
    names = [o.name for o in organizations]
    if persons:
        names.append(gettext("%(count)d party members") % {"count": len(persons)})
    _event(
        locked,
        actor=person,
        verb=f"whistle_{level}",
        note=gettext("%(level)s: %(names)s summoned. %(reason)s")
        % {"level": whistle.get_level_display(), "names": "、".join(names), "reason": reason},
        public=True,
    )
    subject = gettext("You are summoned (%(level)s) on issue %(number)s") % {
        "level": whistle.get_level_display(),
        "number": locked.tracking_number,
    }
    body = gettext("%(reason)s\nReport in by %(due)s.") % {
        "reason": reason,
        "due": workdays.format_deadline(report_due),
    }
    for org in organizations:
        notify_organization(org, subject=subject, body=body, link=staff_link(locked))
    for p in persons:
        _notify_person(p, subject=subject, body=body, link=staff_link(locked))


def whistle_report_in(*, actor, summons: WhistleSummons, contribution: str) -> WhistleSummons:
    """报到: the summoned party acknowledges and says what it will contribute."""
    contribution = _text(contribution, field_name="contribution")
    with transaction.atomic():
        locked = (
            WhistleSummons.objects.select_for_update(of=("self",))
            .select_related("whistle__issue", "whistle__blown_by", "organization", "person")
            .get(pk=summons.pk)
        )
        person = _require(
            actor, "issues.report_in", locked, gettext("You were not summoned by this whistle.")
        )
        if locked.reported_at is not None:
            raise IssueStateError(_("This party has already reported in."), code="reported")
        locked.reported_at = timezone.now()
        locked.reported_by = person
        locked.contribution = contribution
        locked.save(update_fields=["reported_at", "reported_by", "contribution"])
        issue = locked.whistle.issue
        _event(
            issue,
            actor=person,
            verb="report_in",
            note=gettext("%(who)s reported in: %(contribution)s")
            % {"who": _summons_label(locked), "contribution": contribution},
            public=True,
            organization=locked.organization,
        )
        _notify_person(
            locked.whistle.blown_by,
            subject=gettext("%(who)s reported in on %(number)s")
            % {"who": _summons_label(locked), "number": issue.tracking_number},
            body=contribution,
            link=staff_link(issue),
        )
    summons.reported_at, summons.reported_by = locked.reported_at, person
    summons.contribution = contribution
    return locked


def whistle_rate(*, actor, summons: WhistleSummons, rating: int) -> WhistleSummons:
    """The summoner rates each party's response (1–5)."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("Give a rating from 1 to 5.")]}, code="invalid")
    with transaction.atomic():
        locked = (
            WhistleSummons.objects.select_for_update(of=("self",))
            .select_related("whistle__issue", "organization", "person")
            .get(pk=summons.pk)
        )
        person = _require(
            actor, "issues.rate_summons", locked, gettext("You may not rate this response.")
        )
        if locked.reported_at is None:
            raise IssueStateError(
                _("A party can be rated only after it has reported in."), code="not_reported"
            )
        locked.rating = rating
        locked.save(update_fields=["rating"])
        _event(
            locked.whistle.issue,
            actor=person,
            verb="summons_rated",
            note=f"{_summons_label(locked)}: {rating}/5",
            public=False,
            organization=locked.organization,
        )
    summons.rating = rating
    return locked


def supervision_order_issue(
    *, actor, issue: Issue, organization: Organization, due: dt.datetime, instruction: str
) -> SupervisionOrder:
    """督办 (协同联动 第二条: 由小区党组织和社区环境和物业管理委员会进行督办)."""
    instruction = _text(instruction, field_name="instruction")
    if organization is None:
        raise ValidationError({"organization": [_("Choose an organization.")]}, code="required")
    if not isinstance(due, dt.datetime) or timezone.is_naive(due):
        raise ValidationError({"due": [_("Enter a date and time.")]}, code="invalid")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.supervise", locked, gettext("You may not supervise this issue.")
        )
        _require_open(locked)
        _covering_org(locked.compound, organization, "organization")
        now = timezone.now()
        if due <= now:
            raise ValidationError(
                {"due": [_("The deadline must be in the future.")]}, code="past_due"
            )
        order = SupervisionOrder.objects.create(
            issue=locked,
            issued_by=person,
            organization=organization,
            issued_at=now,
            due=due,
            instruction=instruction,
        )
        _event(
            locked,
            actor=person,
            verb="supervision_order",
            note=gettext("Supervision order to %(org)s, due %(due)s: %(instruction)s")
            % {
                "org": organization.name,
                "due": workdays.format_deadline(due),
                "instruction": instruction,
            },
            public=True,
            organization=organization,
        )
        notify_organization(
            organization,
            subject=gettext("Supervision order (督办) on issue %(number)s")
            % {"number": locked.tracking_number},
            body=instruction,
            link=staff_link(locked),
        )
    return order


# --- 历史遗留问题 (协同联动 第五条) ---------------------------------------------------
# "社区党组织应领导社区居民委员会、小区党组织积极向街道及相关部门反映，争取重视与支持；
# 社区居民委员会、物业管理委员会、物业服务企业'三方'需共同向居民做好解释说明工作，不得相互
# 推诿、激化矛盾。"

Kind = Organization.Kind
#: Who reports upwards: the community party organization, leading the RC and the
#: compound party organization (第五条).
LEGACY_REPORTER_KINDS = (Kind.COMMUNITY_PARTY, Kind.RESIDENTS_COMMITTEE, Kind.COMPOUND_PARTY)
#: To whom: the street and its departments (向街道及相关部门).
LEGACY_RECIPIENT_KINDS = (Kind.STREET_OFFICE, Kind.STREET_PMC, Kind.DEPARTMENT)
#: Who explain together: the three parties (三方).
JOINT_EXPLAINER_KINDS = Organization.THREE_PARTIES
LEGACY_TEXT_MAX = 4000

IssueEvent.VERB_LABELS.update(
    {
        "legacy_report": _("Reported to the street and its departments (历史遗留问题)"),
        "legacy_response": _("The street or a department answered"),
        "joint_explanation_draft": _("Joint explanation drafted for the three parties"),
        "joint_explanation_confirm": _("One of the three parties confirmed the joint explanation"),
        "joint_explanation": _("Explanation given jointly by the three parties"),
        "street_propose": _("The joint meeting proposes taking it to the street"),
        "street_request": _("The community party organization asked the street"),
        "street_decline": _("The community party organization did not take it to the street"),
        "street_convene": _("The street convened a street joint meeting"),
        "street_outcome": _("Outcome of the street joint meeting"),
    }
)


def _require_legacy(issue: Issue) -> None:
    if issue.tier != Tier.LEGACY:
        raise ValidationError(
            _("This step is for a legacy matter (历史遗留问题)."), code="not_legacy"
        )


def legacy_report_upwards(
    *,
    actor,
    issue: Issue,
    reporting_organization: Organization,
    recipients: Iterable[Organization],
    content: str,
) -> LegacyReport:
    """Record that a legacy matter was reported to the street and its departments
    (积极向街道及相关部门反映, 协同联动 第五条), and tell them.

    The reporter acts for the community party organization, the RC or the compound
    party organization of the compound; recipients are street-level bodies of its street.
    """
    content = _text(content, field_name="content", max_length=LEGACY_TEXT_MAX)
    recipients = list(recipients)
    person = _require(
        actor,
        "meetings.act_for_organization",
        reporting_organization,
        gettext("Report in the name of a body you sit in."),
    )
    _require_legacy(issue)
    errors: dict[str, list] = {}
    covering = _covering_org_ids(issue)
    if (
        reporting_organization.kind not in LEGACY_REPORTER_KINDS
        or reporting_organization.pk not in covering
    ):
        errors["reporting_organization"] = [
            _(
                "The community party organization, the residents' committee or the "
                "compound party organization reports upwards."
            )
        ]
    if not recipients:
        errors["recipients"] = [_("Choose the street body or department it is reported to.")]
    elif any(o.kind not in LEGACY_RECIPIENT_KINDS or o.pk not in covering for o in recipients):
        errors["recipients"] = [_("Choose the street or its departments.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(issue)
        _require_open(locked)
        report = LegacyReport.objects.create(
            issue=locked,
            reporting_organization=reporting_organization,
            content=content,
            reported_by=person,
        )
        report.recipients.set(recipients)
        names = "、".join(o.name for o in recipients)
        _event(
            locked,
            actor=person,
            verb="legacy_report",
            note=gettext("%(by)s reported it to %(to)s: %(text)s")
            % {"by": reporting_organization.name, "to": names, "text": content},
            public=True,
            organization=reporting_organization,
        )
        for org in recipients:
            notify_organization(
                org,
                subject=gettext("Legacy matter %(number)s reported by %(by)s")
                % {"number": locked.tracking_number, "by": reporting_organization.name},
                body=content,
                link=staff_link(locked),
            )
    return report


def legacy_report_answer(*, actor, report: LegacyReport, response: str) -> LegacyReport:
    """The street or a department the matter was reported to answers; the answer is
    recorded on the complaint (争取重视与支持)."""
    response = _text(response, field_name="response", max_length=LEGACY_TEXT_MAX)
    recipients = list(report.recipients.all())
    person = None
    for org in recipients:
        try:
            person = _require(actor, "meetings.act_for_organization", org, "")
        except PermissionDenied:
            continue
        break
    if person is None:
        raise PermissionDenied(gettext("Only a body it was reported to can answer."))
    with transaction.atomic():
        locked = LegacyReport.objects.select_for_update().get(pk=report.pk)
        if locked.responded_at is not None:
            raise ValidationError(_("This report has been answered already."), code="answered")
        locked.response = response
        locked.responded_at = timezone.now()
        locked.save(update_fields=["response", "responded_at"])
        _event(locked.issue, actor=person, verb="legacy_response", note=response, public=True)
    report.response, report.responded_at = locked.response, locked.responded_at
    return report


def joint_explanation_draft(*, actor, issue: Issue, text: str) -> JointExplanation:
    """Draft the explanation the three parties will give together; each of the RC, the
    PMC and the property company then confirms it (三方共同…解释说明). A new draft
    withdraws one still awaiting confirmation."""
    text = closing_explanation_clean(text, field_name="text")
    person = _require(
        actor, "issues.work_issue", issue, gettext("You may not explain this matter.")
    )
    _require_legacy(issue)
    bodies = _three_parties(issue)
    if len(bodies) < len(JOINT_EXPLAINER_KINDS):
        raise ValidationError(
            _("The compound lacks one of the three parties, so no joint explanation is possible."),
            code="no_three_parties",
        )
    with transaction.atomic():
        locked = _locked(issue)
        _require_open(locked)
        JointExplanation.objects.filter(
            issue=locked, status=JointExplanation.Status.AWAITING
        ).update(status=JointExplanation.Status.WITHDRAWN)
        explanation = JointExplanation.objects.create(issue=locked, text=text, drafted_by=person)
        JointExplanationConfirmation.objects.bulk_create(
            [JointExplanationConfirmation(explanation=explanation, organization=o) for o in bodies]
        )
        _event(locked, actor=person, verb="joint_explanation_draft", note=text)
        for org in bodies:
            notify_organization(
                org,
                subject=gettext("Confirm the joint explanation of %(number)s")
                % {"number": locked.tracking_number},
                body=text,
                link=staff_link(locked),
            )
    return explanation


def joint_explanation_confirm(
    *, actor, explanation: JointExplanation, organization: Organization
) -> JointExplanation:
    """One of the three parties confirms the explanation as its own. When the last one
    confirms it is published on the complaint's public timeline in the three parties'
    names and the legacy explanation clock restarts (协同联动 第五条 "共同…不得相互推诿")."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        organization,
        gettext("Only a member of this body can confirm for it."),
    )
    with transaction.atomic():
        locked = JointExplanation.objects.select_for_update().get(pk=explanation.pk)
        if locked.status != JointExplanation.Status.AWAITING:
            raise ValidationError(
                _("This explanation is no longer awaiting confirmation."), code="not_awaiting"
            )
        row = (
            JointExplanationConfirmation.objects.select_for_update()
            .filter(explanation=locked, organization=organization)
            .first()
        )
        if row is None:
            raise PermissionDenied(gettext("This body is not one of the three parties here."))
        if row.confirmed_at is None:
            row.confirmed_at = timezone.now()
            row.confirmed_by = person
            row.save(update_fields=["confirmed_at", "confirmed_by"])
            _event(
                locked.issue,
                actor=person,
                verb="joint_explanation_confirm",
                note=organization.name,
                organization=organization,
            )
        if not locked.confirmations.filter(confirmed_at__isnull=True).exists():
            _publish_joint_explanation(locked, person)
    explanation.status, explanation.published_at = locked.status, locked.published_at
    return explanation


def _publish_joint_explanation(explanation: JointExplanation, person) -> None:
    issue = _locked(explanation.issue)
    now = timezone.now()
    explanation.status = JointExplanation.Status.PUBLISHED
    explanation.published_at = now
    explanation.save(update_fields=["status", "published_at"])
    names = "、".join(
        c.organization.name for c in explanation.confirmations.select_related("organization")
    )
    if issue.is_open:
        clocks = clocks_for(clock_policy_for(issue.compound))
        _restart_legacy_clock(issue, clocks, now)
        issue.last_public_update_at = now
        _refresh_next_deadline(issue)
        issue.save()
    _event(
        issue,
        actor=person,
        verb="joint_explanation",
        note=gettext("%(names)s explain jointly: %(text)s")
        % {"names": names, "text": explanation.text},
        public=True,
    )
    _notify_reporter(
        issue,
        subject=gettext("Explanation of your issue %(number)s") % {"number": issue.tracking_number},
        body=explanation.text,
    )


def _three_parties(issue: Issue) -> list[Organization]:
    found: dict[str, Organization] = {}
    for org in Organization.objects.filter(
        pk__in=_covering_org_ids(issue), kind__in=JOINT_EXPLAINER_KINDS
    ).order_by("pk"):
        found.setdefault(org.kind, org)
    return [found[k] for k in JOINT_EXPLAINER_KINDS if k in found]


def _covering_org_ids(issue: Issue) -> set[int]:
    from huashan.directory.selectors import compound_organizations

    return set(compound_organizations(compound=issue.compound).values_list("pk", flat=True))
