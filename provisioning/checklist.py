"""The setup checklist of a compound: what the rules need and what is missing.

Each item names the article that needs it and where it is fixed. The checklist
of many compounds is computed with a fixed number of queries (the dashboard
shows the open count of every compound a community or street oversees).

seed: 联席会议议事规则 第一、四条 (小区党组织; 联席会议办公室), 物业管理委员会服务承诺
(the PMC and its term), 公示承诺制度 第一条 (personnel and the yearly pledges
posted), 第三条 1 (物业服务投诉电话), 决策报告制度 第四条 (义务质量总监); the working-day
calendar of next year (the 7-working-day clock, 小区党组织服务承诺 第3条).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Membership, Organization

Kind = Organization.Kind
Role = Membership.Role

#: Kinds of the compound's own organizations the rules need.
NEEDED_KINDS = (Kind.COMPOUND_PARTY, Kind.PMC, Kind.PROPERTY_COMPANY, Kind.JOINT_MEETING_OFFICE)
PMC_ROLES = (Role.CHAIR, Role.MEMBER, Role.SECRETARY)


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str | Promise
    article: str
    ok: bool
    fix_url: str
    fix_label: str | Promise

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label": str(self.label),
            "article": self.article,
            "ok": self.ok,
            "fix_url": self.fix_url,
            "fix_label": str(self.fix_label),
        }


def _facts(compound_ids: list[int], year: int, today: dt.date) -> dict[int, dict]:
    """Everything the checklist needs for many compounds, in a fixed number of queries."""
    from disclosures.models import Disclosure
    from pledges.models import PledgeLetter

    from .models import ProvisioningRun

    facts: dict[int, dict] = {
        pk: {"orgs": {}, "pmc_members": 0, "supervisors": 0} for pk in compound_ids
    }
    for org in Organization.objects.filter(compound_id__in=compound_ids, kind__in=NEEDED_KINDS):
        facts[org.compound_id]["orgs"].setdefault(org.kind, org)
    seats = (
        Membership.objects.current(today)
        .filter(organization__compound_id__in=compound_ids)
        .filter(
            Q(organization__kind=Kind.PMC, role__in=PMC_ROLES) | Q(role=Role.QUALITY_SUPERVISOR)
        )
        .values_list("organization__compound_id", "organization__kind", "role")
    )
    for compound_id, kind, role in seats:
        if role == Role.QUALITY_SUPERVISOR:
            facts[compound_id]["supervisors"] += 1
        elif kind == Kind.PMC:
            facts[compound_id]["pmc_members"] += 1
    personnel = set(
        Disclosure.objects.filter(
            compound_id__in=compound_ids,
            category__code="personnel",
            state__in=Disclosure.PUBLIC_STATES,
        ).values_list("compound_id", flat=True)
    )
    letters: dict[int, set[str]] = defaultdict(set)
    for compound_id, kind in PledgeLetter.objects.filter(
        compound_id__in=compound_ids, year=year, published=True
    ).values_list("compound_id", "organization__kind"):
        letters[compound_id].add(kind)
    provisioned = set(
        ProvisioningRun.objects.filter(compound_id__in=compound_ids, year=year).values_list(
            "compound_id", flat=True
        )
    )
    for pk in compound_ids:
        facts[pk]["personnel"] = pk in personnel
        facts[pk]["letters"] = letters[pk]
        facts[pk]["provisioned"] = pk in provisioned
    return facts


def _calendar_known(year: int) -> bool:
    from huashan import workdays

    return workdays.year_is_known(year)


def _url(name: str, *args, query: str = "") -> str:
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _items(compound: Compound, facts: dict, year: int, next_known: bool) -> list[CheckItem]:
    """The checklist in order: who is registered, then what is published and set up."""
    return _organization_items(compound.slug, facts) + _publication_items(
        compound.slug, facts, next_known
    )


def _organization_items(slug: str, facts: dict) -> list[CheckItem]:
    """The bodies the rules name, registered with their people."""
    orgs = facts["orgs"]
    party, pmc, company = (
        orgs.get(Kind.COMPOUND_PARTY),
        orgs.get(Kind.PMC),
        orgs.get(Kind.PROPERTY_COMPANY),
    )
    org_url = lambda kind: _url("provisioning:organization", slug, kind)  # noqa: E731
    member_url = lambda kind: _url("provisioning:member", slug, kind)  # noqa: E731
    return [
        CheckItem(
            "party_organization",
            _("The compound has a party organization"),
            "联席会议议事规则 第一条、第四条",
            party is not None,
            org_url(Kind.COMPOUND_PARTY),
            _("Register the party organization"),
        ),
        CheckItem(
            "pmc_members",
            _("The property management committee and its members (with their term start)"),
            "物业管理委员会服务承诺 第7条",
            pmc is not None and facts["pmc_members"] > 0,
            member_url(Kind.PMC) if pmc is not None else org_url(Kind.PMC),
            _("Add the committee members") if pmc is not None else _("Register the committee"),
        ),
        CheckItem(
            "property_company",
            _("The property company and its complaint phone"),
            "公示承诺制度 第三条 1",
            company is not None and bool(company.phone),
            org_url(Kind.PROPERTY_COMPANY),
            _("Enter the property company and its complaint phone"),
        ),
        CheckItem(
            "joint_meeting_office",
            _("The joint-meeting office"),
            "联席会议议事规则 第四条",
            Kind.JOINT_MEETING_OFFICE in orgs,
            org_url(Kind.JOINT_MEETING_OFFICE),
            _("Register the joint-meeting office"),
        ),
        CheckItem(
            "quality_supervisor",
            _("A volunteer quality supervisor"),
            "决策报告制度 第四条",
            facts["supervisors"] > 0,
            member_url(Kind.PROPERTY_COMPANY)
            if company is not None
            else org_url(Kind.PROPERTY_COMPANY),
            _("Add the quality supervisor"),
        ),
    ]


def _publication_items(slug: str, facts: dict, next_known: bool) -> list[CheckItem]:
    """This year's obligations set up and published, and next year's calendar entered."""
    return [
        CheckItem(
            "obligations",
            _("This year's pledge letters and disclosure schedules are set up"),
            "公示承诺制度 第一—四条",
            facts["provisioned"],
            _url("provisioning:checklist", slug) + "#provision",
            _("Set them up now"),
        ),
        CheckItem(
            "personnel_disclosure",
            _("The personnel disclosure is published"),
            "公示承诺制度 第一条、第四条",
            facts["personnel"],
            _url("disclosures:create", query=f"compound={slug}&category=personnel"),
            _("Publish the personnel disclosure"),
        ),
        CheckItem(
            "pledge_letters",
            _("Both pledge letters of this year are published"),
            "公示承诺制度 第一条；小区党组织服务承诺；物业管理委员会服务承诺",
            {Kind.COMPOUND_PARTY, Kind.PMC} <= facts["letters"],
            _url("pledges:staff", query=f"compound={slug}"),
            _("Publish the pledge letters"),
        ),
        CheckItem(
            "calendar_next_year",
            _("Next year's holidays and make-up working days are entered"),
            "小区党组织服务承诺 第3条（7个工作日）",
            next_known,
            _url("admin:core_calendarday_changelist"),
            _("Enter next year's calendar"),
        ),
    ]


def compound_checklists(
    compounds: list[Compound], *, today: dt.date | None = None
) -> dict[int, list[CheckItem]]:
    """compound pk → its checklist (fixed number of queries whatever the count)."""
    today = today or timezone.localdate()
    year = today.year
    if not compounds:
        return {}
    facts = _facts([c.pk for c in compounds], year, today)
    next_known = _calendar_known(year + 1)
    return {c.pk: _items(c, facts[c.pk], year, next_known) for c in compounds}


def compound_checklist(compound: Compound, *, today: dt.date | None = None) -> list[CheckItem]:
    return compound_checklists([compound], today=today)[compound.pk]


def open_items_count(compounds: list[Compound], *, today: dt.date | None = None) -> int:
    """How many checklist items are open across ``compounds`` (the dashboard's figure)."""
    return sum(
        1
        for items in compound_checklists(compounds, today=today).values()
        for i in items
        if not i.ok
    )
