"""Whistles and supervision: 社区吹哨、党员报到, 街道吹哨、部门报到 and supervision orders
(seed: 协同联动 第三条、第四条; 第二条 督办).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
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

from ..models import (
    Issue,
    SupervisionOrder,
    Whistle,
    WhistleSummons,
)
from ._common import IssueStateError, Tier, _event, _locked, _require_open, _sync, _text, staff_link
from .clocks import _make_complex, _refresh_next_deadline, clock_policy_for, clocks_for
from .closing import _summons_label
from .notifications import _notify_person, notify_organization
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
) -> Whistle:
    """社区吹哨、党员报到 (协同联动 第三条) / 街道吹哨、部门报到 (第四条).

    Each summoned organization and person must report in (报到) by
    ``report_due`` (default: the compound's response time, 48 h).
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
