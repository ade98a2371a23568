"""The live figure under each article: how the rule is kept in this compound, this period.

Each figure reads the same selector the dashboards and pledge engine read, so the rulebook
can never disagree with them. Periods: the rates count the current quarter, the counts the
current year, both up to now. ``compound_figures`` builds every figure of a compound in a
fixed number of queries (about a dozen, whatever the data), and the page caches the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.models import WorkSummary
from disclosures.selectors import schedule_compliance
from evaluations.models import Campaign
from huashan import periods, workdays
from huashan.directory.models import Compound, Organization
from issues.models import Whistle
from issues.pledge_evidence import complaint_deadline_shares
from meetings.models import DecisionReport, Meeting
from meetings.selectors import HELD_STATES, action_items_due_counts, meetings_held_counts
from pledges.models import ResultStatus
from pledges.selectors import pledge_item_statuses


@dataclass(frozen=True)
class Figure:
    """One line of live evidence: ``text`` for every reader, ``link`` to the records."""

    text: str
    link: str = ""
    link_label: str = ""
    population: str = ""


def _url(name: str, compound: Compound) -> str:
    return f"{reverse(name)}?compound={compound.slug}"


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return date_format(value, "Y年n月j日")


def _share_text(policy: workdays.DeadlinePolicy, share) -> str:
    if not share.decided:
        text = _("%(clock)s: no complaint of this quarter has reached its deadline yet") % {
            "clock": policy.label
        }
    else:
        text = _("%(clock)s: %(in_time)d of %(decided)d in time (%(percent)s%%)") % {
            "clock": policy.label,
            "in_time": share.in_time,
            "decided": share.decided,
            "percent": share.percent,
        }
    if share.pending:
        text += ngettext(
            "; %(n)d more still running", "; %(n)d more still running", share.pending
        ) % {"n": share.pending}
    return text


def _complaint_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    quarter = periods.containing(periods.QUARTER, now)
    period = (quarter.start_dt, quarter.end_dt)
    shares = complaint_deadline_shares(compound=compound, periods=[period], now=now)[period]
    population = _(
        "Counted: complaints filed this quarter (%(quarter)s) whose deadline has passed or "
        "that were answered; merged duplicates count once."
    ) % {"quarter": quarter.label}
    link, label = _url("issues:board", compound), _("The complaints behind it")

    def fig(policy, clock):
        return Figure(_share_text(policy, shares[clock]), link, label, population)

    return {
        "PP-3": [
            fig(workdays.RESPONSE_48H, "response"),
            fig(workdays.FEEDBACK_7_WORKING_DAYS, "feedback"),
        ],
        "PMC-3": [fig(workdays.RESPONSE_48H, "response"), fig(workdays.PLAN_7_DAYS, "plan")],
        "PP-7": [fig(workdays.HAZARD_3_DAYS, "hazard")],
    }


def _meeting_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    year = periods.containing(periods.YEAR, now)
    joint = meetings_held_counts(
        compounds=[compound], kinds=[Meeting.Kind.JOINT], start=year.start, end=year.end_dt
    ).get(compound.pk, 0)
    last = (
        Meeting.objects.filter(
            compound=compound, kind=Meeting.Kind.JOINT, status__in=HELD_STATES, start__lte=now
        )
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    text = ngettext(
        "%(n)d joint meeting held this year", "%(n)d joint meetings held this year", joint
    ) % {"n": joint}
    text += _("; the last on %(day)s") % {"day": _day(last)} if last else _("; none held yet")
    meetings_link = _url("meetings:list", compound)
    out: dict[str, list[Figure]] = {
        "JM-3": [Figure(text, meetings_link, _("The meetings"))],
        "PP-1": [Figure(text, meetings_link, _("The meetings"))],
    }
    forum_counts = defaultdict(int)
    rows = (
        Meeting.objects.filter(
            compound=compound,
            kind__in=list(Meeting.FORUM_KINDS),
            status__in=HELD_STATES,
            start__gte=year.start_dt,
            start__lt=year.end_dt,
        )
        .order_by()
        .values_list("kind", flat=True)
    )
    for kind in rows:
        forum_counts[kind] += 1
    forum_text = "；".join(
        f"{Meeting.Kind(kind).label} {forum_counts.get(kind, 0)}"
        for kind in sorted(Meeting.FORUM_KINDS)
    )
    out["CL-6"] = [Figure(_("Held this year: %(list)s") % {"list": forum_text}, meetings_link)]
    out["PMC-8"] = [
        Figure(
            _("Owners' forums held this year: %(n)d")
            % {"n": forum_counts.get(Meeting.Kind.OWNERS_FORUM, 0)},
            meetings_link,
        )
    ]
    month = periods.containing(periods.MONTH, now)
    due = action_items_due_counts(compounds=[compound], now=now, until=month.end_dt).get(
        compound.pk, {"due": 0, "overdue": 0}
    )
    out["JM-5"] = [
        Figure(
            _("Open agreed items: %(overdue)d past due, %(due)d due this month")
            % {"overdue": due["overdue"], "due": due["due"]},
            _url("meetings:action_items", compound),
            _("The agreed items"),
        )
    ]
    summary = (
        WorkSummary.objects.filter(compound=compound, state=WorkSummary.State.SUBMITTED)
        .order_by("-period_end")
        .values("kind", "period_start", "period_end", "submitted_at")
        .first()
    )
    if summary:
        text = _("Last %(kind)s: %(start)s – %(end)s, reported on %(day)s") % {
            "kind": WorkSummary.Kind(summary["kind"]).label,
            "start": _day(summary["period_start"]),
            "end": _day(summary["period_end"]),
            "day": _day(summary["submitted_at"]),
        }
    else:
        text = _("No work summary has been reported to the community party organization yet")
    out["JM-6"] = [Figure(text)]
    return out


def _whistle_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    year = periods.containing(periods.YEAR, now)
    counts = defaultdict(int)
    for level in (
        Whistle.objects.filter(
            issue__compound=compound, blown_at__gte=year.start_dt, blown_at__lt=year.end_dt
        )
        .order_by()
        .values_list("level", flat=True)
    ):
        counts[level] += 1
    link = _url("issues:board", compound)
    return {
        "CL-3": [
            Figure(
                _("Community whistles blown this year: %(n)d")
                % {"n": counts[Whistle.Level.COMMUNITY]},
                link,
            )
        ],
        "CL-4": [
            Figure(
                _("Street whistles blown this year: %(n)d") % {"n": counts[Whistle.Level.STREET]},
                link,
            )
        ],
    }


def _disclosure_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    year = periods.containing(periods.YEAR, now)
    rows = schedule_compliance(compound=compound, start=year.start, end=timezone.localdate(now))
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        by_kind[row.organization.kind][row.status] += 1
        by_kind["*"][row.status] += 1

    def text(counts) -> str:
        return _(
            "Disclosures due this year so far: %(on_time)d on time, %(late)d late, "
            "%(missing)d missing; %(not_due)d not yet due"
        ) % {k: counts.get(k, 0) for k in ("on_time", "late", "missing", "not_due")}

    link, label = _url("disclosures:board", compound), _("The disclosure board")
    pmc = by_kind[Organization.Kind.PMC]
    company = by_kind[Organization.Kind.PROPERTY_COMPANY]
    return {
        "DP-1": [Figure(text(by_kind["*"]), link, label)],
        "DP-2": [Figure(text(pmc), link, label)],
        "DP-3": [Figure(text(company), link, label)],
        "DP-4": [Figure(text(by_kind["*"]), link, label)],
        "PMC-2": [Figure(text(pmc), link, label)],
    }


def _pledge_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    today = timezone.localdate(now)
    out: dict[str, list[Figure]] = {}
    prefixes = {
        Organization.Kind.COMPOUND_PARTY: "PP",
        Organization.Kind.PMC: "PMC",
    }
    link = _url("pledges:board", compound)
    for status in pledge_item_statuses(compound=compound, year=today.year, on=today):
        prefix = prefixes.get(status.organization.kind)
        if prefix is None or not status.item.number:
            continue
        label = ResultStatus(status.status).label
        out.setdefault(f"{prefix}-{status.item.number}", []).append(
            Figure(
                _("This year's pledge: %(status)s") % {"status": label},
                link,
                _("The pledge board"),
            )
        )
    return out


def _decision_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    year = periods.containing(periods.YEAR, now)
    filed = DecisionReport.objects.filter(
        compound=compound, filed_at__gte=year.start_dt, filed_at__lt=year.end_dt
    ).count()
    text = _("Decision reports filed in advance this year: %(n)d") % {"n": filed}
    return {"DR-2": [Figure(text)], "CL-7": [Figure(text)]}


def _evaluation_figures(compound: Compound, now: dt.datetime) -> dict[str, list[Figure]]:
    year = timezone.localdate(now).year
    campaign = (
        Campaign.objects.filter(year=year)
        .filter(Q(compound=compound) | Q(community_id=compound.community_id))
        .order_by(F("compound_id").asc(nulls_last=True))
        .only("state")
        .first()
    )
    if campaign is None:
        text = _("This year's evaluation has not been opened yet")
        link = ""
    else:
        text = _("This year's evaluation: %(state)s") % {
            "state": Campaign.State(campaign.state).label
        }
        link = reverse("evaluations:list")
    fig = [Figure(text, link)]
    return {"EV-1": fig, "EV-3": fig, "EV-5": fig}


SOURCES = (
    _complaint_figures,
    _meeting_figures,
    _whistle_figures,
    _disclosure_figures,
    _pledge_figures,
    _decision_figures,
    _evaluation_figures,
)


def compound_figures(compound: Compound, now: dt.datetime | None = None) -> dict[str, list]:
    """``{rule id: [Figure, …]}`` for every article with a live figure in this compound."""
    now = now or timezone.now()
    out: dict[str, list[Figure]] = defaultdict(list)
    for source in SOURCES:
        for rule_id, figures in source(compound, now).items():
            out[rule_id].extend(figures)
    return dict(out)
