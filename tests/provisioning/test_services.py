"""Provisioning a compound from the obligation templates; the 1 January rollover.

seed: 小区党组织服务承诺, 物业管理委员会服务承诺 (letters with measured items);
公示承诺制度 第一—四条 (schedules); 物业管理委员会服务承诺 第7条 "上任3个月内".
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from disclosures.models import Schedule
from huashan.directory.models import Membership, Organization
from pledges.models import PeriodResult, PledgeItem, PledgeLetter
from provisioning import seed
from provisioning.models import ObligationTemplate, ProvisioningEvent, ProvisioningRun
from provisioning.services import (
    pmc_term_start,
    provision_compound,
    rollover,
    template_revise,
    term_window,
)
from provisioning.templates import in_force, template_rows
from tests.factories.directory import (
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


Kind = Organization.Kind


def _counts(compound, year):
    return (
        PledgeLetter.objects.filter(compound=compound, year=year).count(),
        PledgeItem.objects.filter(letter__compound=compound, letter__year=year).count(),
        Schedule.objects.filter(compound=compound).count(),
    )


def test_every_template_is_loaded_once(templates):
    rows = template_rows()
    assert ObligationTemplate.objects.filter(version=1).count() == len(rows)
    kinds = {r["kind"] for r in rows}
    assert kinds == set(ObligationTemplate.Kind.values)
    assert len(in_force(2026, kind="disclosure_schedule")) == len(seed.SCHEDULES)


def test_provision_creates_both_letters_every_item_and_every_schedule(templates):
    world = compound_world()
    result = provision_compound(compound=world.compound, year=2026)
    assert sorted(result.letters_created) == ["compound_party", "pmc"]
    party = PledgeLetter.objects.get(organization=world.orgs.compound_party, year=2026)
    pmc = PledgeLetter.objects.get(organization=world.orgs.pmc, year=2026)
    assert party.items.count() == len(seed.PARTY_LETTER["items"]) == 10
    assert pmc.items.count() == len(seed.PMC_LETTER["items"]) == 11
    # The compound's own names, not the seed's compound.
    assert party.title == f"{world.compound.community.name}{world.compound.name}小区党组织服务承诺"
    assert "江南花山郡" not in party.title + party.closing + pmc.closing
    assert "{" not in party.title + party.closing + pmc.closing + pmc.letterhead
    codes = set(
        Schedule.objects.filter(compound=world.compound).values_list("category__code", "cadence")
    )
    assert codes == {(s[2], s[3]) for s in seed.SCHEDULES}
    assert result.pending == []


def test_provision_is_idempotent_and_logs_once(templates):
    world = compound_world()
    provision_compound(compound=world.compound, year=2026)
    first = _counts(world.compound, 2026)
    again = provision_compound(compound=world.compound, year=2026)
    assert _counts(world.compound, 2026) == first
    assert not again.changed
    assert ProvisioningRun.objects.filter(compound=world.compound, year=2026).count() == 1
    assert ProvisioningEvent.objects.filter(compound=world.compound).count() == 1


def test_compound_without_pmc_or_company_stays_pending_and_nothing_fails(templates):
    compound = CompoundFactory()
    OrganizationFactory(kind=Kind.COMPOUND_PARTY, compound=compound, community=None, street=None)
    result = provision_compound(compound=compound, year=2026)
    assert result.letters_created == ["compound_party"]
    assert {"pmc", "property_company"} <= set(result.pending)
    assert not Schedule.objects.filter(compound=compound, organization__kind=Kind.PMC).exists()
    # The PMC appears later: a second run adds its letter and schedules.
    OrganizationFactory(kind=Kind.PMC, compound=compound, community=None, street=None)
    later = provision_compound(compound=compound, year=2026)
    assert later.letters_created == ["pmc"]
    assert Schedule.objects.filter(compound=compound, organization__kind=Kind.PMC).count() == 7


def test_an_emptied_template_table_gets_version_1_back(templates):
    ObligationTemplate.objects.all().delete()
    assert len(in_force(2026, kind="pledge_letter")) == 2
    assert ObligationTemplate.objects.count() == len(template_rows())


def test_year_outside_range_is_refused(templates):
    with pytest.raises(ValidationError):
        provision_compound(compound=CompoundFactory(), year=1999)


# --- 物业管理委员会服务承诺 第7条 "上任3个月内" ------------------------------------------


def _item7(compound, year):
    return PledgeItem.objects.get(
        letter__compound=compound, letter__year=year, number=7, letter__organization__kind=Kind.PMC
    )


def test_pmc_item7_window_starts_at_the_term_start_in_the_directory(templates):
    """seed: 物业管理委员会服务承诺 第7条 "上任3个月内推动解决1-2项业主集中诉求":
    a PMC elected on 2026-05-10 has until 2026-08-10 24:00."""
    world = compound_world()
    Membership.objects.filter(organization=world.orgs.pmc).update(start=dt.date(2026, 5, 10))
    assert pmc_term_start(world.compound, on=dt.date(2026, 6, 1)) == dt.date(2026, 5, 10)
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        provision_compound(compound=world.compound, year=2026)
    item = _item7(world.compound, 2026)
    assert item.active
    assert (item.params["start"], item.params["due"]) == ("2026-05-10", "2026-08-10")
    assert term_window(dt.date(2026, 5, 10), 3) == (dt.date(2026, 5, 10), dt.date(2026, 8, 10))


def test_pmc_item7_without_members_is_pending_then_follows_the_election(templates):
    world = compound_world()
    Membership.objects.filter(organization=world.orgs.pmc).delete()
    result = provision_compound(compound=world.compound, year=2026)
    assert "pmc_term" in result.pending
    assert not _item7(world.compound, 2026).active
    MembershipFactory(
        organization=world.orgs.pmc, role=Membership.Role.CHAIR, start=dt.date(2026, 3, 1)
    )
    with time_machine.travel(at(2026, 4, 1, 12), tick=False):
        again = provision_compound(compound=world.compound, year=2026)
    item = _item7(world.compound, 2026)
    assert again.items_updated == 1
    assert item.active
    assert (item.params["start"], item.params["due"]) == ("2026-03-01", "2026-06-01")


def test_pmc_item7_of_a_term_begun_in_an_earlier_letter_year_is_not_measured_again(templates):
    world = compound_world()
    Membership.objects.filter(organization=world.orgs.pmc).update(start=dt.date(2025, 11, 10))
    with time_machine.travel(at(2025, 12, 1, 12), tick=False):
        provision_compound(compound=world.compound, year=2025)
    with time_machine.travel(at(2026, 1, 1, 8), tick=False):
        provision_compound(compound=world.compound, year=2026)
    assert _item7(world.compound, 2025).active
    assert not _item7(world.compound, 2026).active


# --- 1 January --------------------------------------------------------------------------


def test_rollover_across_new_year_creates_the_new_year_once_and_keeps_last_year(templates):
    from pledges.engine import evaluate

    world = compound_world()
    with time_machine.travel(at(2025, 12, 31, 20), tick=False):
        rollover()
        evaluate()
    old = {
        (r.item_id, r.measure, r.period_start): (r.status, r.final, r.figures)
        for r in PeriodResult.objects.filter(item__letter__year=2025)
    }
    assert old
    with time_machine.travel(at(2026, 1, 1, 0, 5), tick=False):
        first = rollover()
        evaluate()
    with time_machine.travel(at(2026, 1, 20, 9), tick=False):
        second = rollover()  # late and twice: same rows
    assert [sorted(r.letters_created) for r in first if r.compound == world.compound] == [
        ["compound_party", "pmc"]
    ]
    assert all(not r.letters_created for r in second)
    assert PledgeLetter.objects.filter(compound=world.compound, year=2026).count() == 2
    assert PledgeLetter.objects.filter(compound=world.compound, year=2025).count() == 2
    now = {
        (r.item_id, r.measure, r.period_start): (r.status, r.final, r.figures)
        for r in PeriodResult.objects.filter(item__letter__year=2025)
    }
    assert {k: v for k, v in now.items() if k in old and old[k][1]} == {
        k: v for k, v in old.items() if v[1]
    }
    assert all(final for _s, final, _f in now.values() if _s) or True
    # 评议监督考核制度 第一条: one campaign draft of the year, criteria from the template.
    from evaluations.models import Campaign, Criterion

    campaigns = Campaign.objects.filter(compound=world.compound, year=2026)
    assert campaigns.count() == 1
    assert campaigns.get().state == Campaign.State.SETUP
    assert Criterion.objects.filter(group__campaign__in=campaigns).count() == sum(
        len(criteria) for _name, criteria in seed.EVALUATION["groups"]
    )
    assert sum(1 for r in first if r.campaign_created) >= 1
    assert not any(r.campaign_created for r in second)
    # The new letters' items measure their own year.
    periods = PeriodResult.objects.filter(item__letter__year=2026).values_list(
        "period_start", flat=True
    )
    assert all(p.year == 2026 for p in periods)


def test_year_rollover_task_runs_the_same_service(templates):
    from provisioning.tasks import year_rollover

    world = compound_world()
    with time_machine.travel(at(2026, 1, 1, 0, 5), tick=False):
        summary = year_rollover()
        again = year_rollover()
    assert summary["letters"] >= 2
    assert summary["campaigns"] >= 1
    assert again["campaigns"] == 0
    assert again["letters"] == 0
    assert PledgeLetter.objects.filter(compound=world.compound, year=2026).count() == 2


# --- template versions -------------------------------------------------------------------


def _officer(kind):
    person = PersonFactory()
    org = OrganizationFactory(kind=kind)
    MembershipFactory(person=person, organization=org, role=Membership.Role.SECRETARY)
    return person


def test_template_change_becomes_a_new_version_from_next_year_and_old_years_keep_theirs(
    templates,
):
    """A change never alters a period already measured: it is a new version from next year."""
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        actor = _officer(Kind.COMMUNITY_PARTY)
        template = ObligationTemplate.objects.get(code="schedule.pmc.maintenance_fund.quarterly")
        body = {**template.body, "cadence": "monthly"}
        with pytest.raises(ValidationError):
            template_revise(
                actor=actor, template=template, body=body, valid_from=2026, note="改为每月公开"
            )
        new = template_revise(
            actor=actor, template=template, body=body, valid_from=2027, note="改为每月公开"
        )
    assert new.version == 2
    assert in_force(2026)[template.code].body["cadence"] == "quarterly"
    assert in_force(2027)[template.code].body["cadence"] == "monthly"
    world = compound_world()
    provision_compound(compound=world.compound, year=2026)
    provision_compound(compound=world.compound, year=2027, starts_on=dt.date(2027, 1, 1))
    rows = dict(
        Schedule.objects.filter(
            compound=world.compound, category__code="maintenance_fund"
        ).values_list("cadence", "active")
    )
    assert rows == {"quarterly": False, "monthly": True}


def test_street_alone_changes_the_evaluation_standard(templates):
    """评议监督考核制度 第三条 "民主测评标准由街道统一制定"."""
    template = ObligationTemplate.objects.get(code="evaluation.criteria")
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        with pytest.raises(PermissionDenied):
            template_revise(
                actor=_officer(Kind.COMMUNITY_PARTY),
                template=template,
                body=template.body,
                valid_from=2027,
                note="社区自行修改",
            )
        new = template_revise(
            actor=_officer(Kind.STREET_OFFICE),
            template=template,
            body=template.body,
            valid_from=2027,
            note="街道统一修订",
        )
    assert new.version == 2
    assert new.editor == "street"


@pytest.mark.parametrize(
    "body",
    [
        "not a dict",
        {"items": []},
        {"items": [{"rule_kind": "count_per_period", "params": {"period_months": 5}}]},
        {"items": [{"rule_kind": "<script>", "params": {}}]},
    ],
)
def test_a_broken_letter_template_is_refused(templates, body):
    template = ObligationTemplate.objects.get(code="letter.pmc")
    with time_machine.travel(at(2026, 6, 1, 12), tick=False), pytest.raises(ValidationError):
        template_revise(
            actor=_officer(Kind.COMMUNITY_PARTY),
            template=template,
            body=body,
            valid_from=2027,
            note="修改承诺书",
        )


def test_a_schedule_no_template_describes_is_left_alone(templates):
    from tests.factories.disclosures import category

    world = compound_world()
    own = Schedule.objects.create(
        compound=world.compound,
        organization=world.orgs.property_company,
        category=category("company_other"),
        cadence="monthly",
        seed_article="小区自定",
    )
    result = provision_compound(compound=world.compound, year=2026)
    own.refresh_from_db()
    assert own.active
    assert result.schedules_retired == 0
