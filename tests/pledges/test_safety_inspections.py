"""小区党组织服务承诺 第7条 安全隐患“零容忍”: "督促物业每季度开展消防、电梯等设施的全面排查，
发现问题限期3日内整改，重大隐患即时上报并全程跟踪" — the areas an inspection checks, the
required areas of a quarter, and a major finding reported at once like a major complaint hazard."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from issues.models import Issue, Referral
from pledges import services
from pledges.models import Finding, Inspection, PledgeEvent
from tests.factories.pledges import InspectionFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("pledges.migrations.0005_inspection_areas_and_major_findings")


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def record(world, actor, findings, *, areas=("fire", "elevator"), day=dt.date(2026, 5, 4)):
    return services.inspection_record(
        actor=actor,
        compound=world.compound,
        organization=world.orgs.property_company,
        kind="quarterly_safety",
        inspected_on=day,
        areas=list(areas),
        findings=findings,
    )


# --- areas ---------------------------------------------------------------------------


def test_areas_are_fixed_choices_and_words_are_read_as_them():
    """ "消防、电梯等设施": codes pass, known words become their area, the rest is kept as other."""
    assert services.areas_clean(["elevator", "fire"]) == (["fire", "elevator"], "")
    assert services.areas_clean(["消防栓", "2号楼电梯", "二次供水"]) == (
        ["fire", "elevator", "water_power"],
        "",
    )
    assert services.areas_clean(["保洁", "安保"]) == (["other"], "保洁、安保")
    assert services.areas_clean(["gas"], "地下车库") == (["gas", "other"], "地下车库")
    assert services.areas_clean([]) == ([], "")
    with pytest.raises(ValidationError) as exc:
        services.areas_clean(["other"], "  ")
    assert "areas_other" in exc.value.message_dict


def test_data_migration_maps_known_words_and_keeps_the_rest_as_other():
    """Existing free-text areas: 消防/电梯 mapped, anything else "other" with its text kept."""
    assert MIGRATION.read_areas(["消防", "电梯"]) == (["fire", "elevator"], "")
    assert MIGRATION.read_areas(["燃气管道", "物业服务合同履行"]) == (
        ["gas", "other"],
        "物业服务合同履行",
    )
    assert MIGRATION.read_areas([]) == ([], "")


def test_a_quarter_shows_the_required_areas_its_inspections_did_not_cover(freeze):
    """ "每季度开展消防、电梯等设施的全面排查": a quarter with only 消防 misses 电梯 (shown as
    missing once the quarter ended, "open" before); one with both is covered."""
    freeze(at(2026, 7, 1, 10))
    world = pledge_world(year=2026)
    kw = {"organization": world.pmc, "compound": world.compound, "kind": "quarterly_safety"}
    InspectionFactory(inspected_on=dt.date(2026, 3, 31), areas=["fire"], **kw)
    InspectionFactory(inspected_on=dt.date(2026, 4, 1), areas=["fire"], **kw)
    InspectionFactory(inspected_on=dt.date(2026, 6, 30), areas=["elevator", "gas"], **kw)
    InspectionFactory(inspected_on=dt.date(2026, 7, 1), areas=["elevator"], **kw)
    quarters = services.safety_quarters(
        compound=world.compound, year=2026, today=dt.date(2026, 7, 1)
    )
    assert [(q["start"].month, q["status"]) for q in quarters] == [
        (1, "missing"),
        (4, "covered"),
        (7, "open"),
    ]
    assert [str(x) for x in quarters[0]["uncovered"]] == ["Elevators"]
    assert [str(x) for x in quarters[2]["uncovered"]] == ["Fire safety installations"]


# --- major findings --------------------------------------------------------------------


def test_a_major_finding_is_reported_at_once_to_community_party_and_street(freeze):
    """ "重大隐患即时上报并全程跟踪": at recording (not after 3 days) the finding becomes a hazard
    complaint marked major, reported to the community party organization and the street;
    its 3-day fix deadline is the same as any safety finding's, and it is filed once."""
    recorded_at = freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    inspection = record(
        world,
        world.party_secretary,
        [{"description": "地下车库顶板开裂", "major": True}, {"description": "灭火器过期"}],
    )
    major, plain = inspection.findings.order_by("pk")
    assert (major.major, major.is_safety, plain.major) == (True, True, False)
    assert major.rectify_due == plain.rectify_due == at(2026, 5, 8, 0, 0)
    issue = Issue.objects.get()
    assert (issue.is_hazard, issue.hazard_major, issue.hazard_reported_at) == (
        True,
        True,
        recorded_at,
    )
    assert major.escalated_issue == issue
    reports = Referral.objects.filter(issue=issue, purpose=Referral.Purpose.REPORT)
    assert {r.organization_id for r in reports} == {
        world.orgs.street_office.pk,
        world.orgs.community_party.pk,
    }
    assert PledgeEvent.objects.filter(verb="finding_report_major", finding=major).count() == 1
    # After the 3 days only the ordinary finding is escalated; the major one is not filed twice.
    freeze(at(2026, 5, 8, 0, 1))
    assert [f.pk for f in services.finding_escalate_overdue()] == [plain.pk]
    assert Issue.objects.filter(hazard_major=True).count() == 1


def test_a_safety_finding_not_marked_major_is_not_reported_at_once(freeze):
    """The other side: an ordinary safety finding files no complaint when recorded."""
    freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    record(world, world.party_secretary, [{"description": "消防栓无水", "is_safety": True}])
    assert not Issue.objects.exists()
    assert not Finding.objects.filter(major=True).exists()


def test_only_who_may_report_a_major_complaint_hazard_marks_a_finding_major(freeze):
    """The property company records the inspection but cannot report upwards itself: the
    major mark is refused next to the findings and nothing is written."""
    freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    with pytest.raises(ValidationError) as exc:
        record(world, world.company_staff, [{"description": "顶板开裂", "major": True}])
    assert "findings" in exc.value.message_dict
    assert not Inspection.objects.exists()
    assert not Issue.objects.exists()
    inspection = record(world, world.company_staff, [{"description": "顶板开裂"}])
    with pytest.raises(ValidationError) as exc:
        services.finding_add(
            actor=world.company_staff, inspection=inspection, description="电梯困人", major=True
        )
    assert "major" in exc.value.message_dict
    finding = services.finding_add(
        actor=world.party_secretary, inspection=inspection, description="电梯困人", major=True
    )
    assert finding.major
    assert finding.escalated_issue.hazard_major
    assert finding.escalated_issue.category.code == "elevator"


# --- pages -----------------------------------------------------------------------------


def test_inspection_form_records_area_choices_and_a_major_line(client, freeze):
    """The form: areas are checkboxes (plus other), "!!" starts a major hazard line; the
    inspections page names the required area a quarter did not cover."""
    freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    client.force_login(world.party_secretary)
    url = reverse("pledges:inspection_new") + f"?compound={world.compound.slug}"
    data = {
        "organization": str(world.orgs.property_company.pk),
        "kind": "quarterly_safety",
        "inspected_on": "2026-05-04",
        "areas": ["fire", "other"],
        "areas_other": "地下车库",
        "findings": "!!地下车库顶板开裂\n!消防栓无水",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.areas, inspection.areas_other) == (["fire", "other"], "地下车库")
    assert [f.major for f in inspection.findings.order_by("pk")] == [True, False]
    page = client.get(reverse("pledges:inspection_list") + f"?compound={world.compound.slug}")
    body = page.content.decode()
    assert 'id="safety-quarters"' in body
    assert 'data-quarter="open"' in body
    assert "Elevators" in body or "电梯" in body
    # "other" with nothing typed: refused next to the field, the findings typed kept.
    client.force_login(world.company_staff)
    response = client.post(url, {**data, "areas_other": "", "findings": "!!顶板开裂"})
    assert response.status_code == 200
    assert "顶板开裂" in response.content.decode()
    assert Inspection.objects.count() == 1
