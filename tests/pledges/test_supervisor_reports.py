"""决策报告制度 第四条: the volunteer quality supervisor (义务质量总监) kept to the letter
(issue 18 item 12).

"定期开展监督检查，及时向企业提出整改意见…参与小区联席会议" — only the person holding the role
records a patrol (nobody records one in the supervisor's name), patrols are due at a cadence
and the missing ones show, and the supervisor is on the joint meeting's observer list.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huashan.directory.models import Membership
from pledges import services
from pledges.models import Inspection
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.pledges import pledge_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = pledge_world()
    world.company = world.orgs.property_company
    world.quality_supervisor = PersonFactory(name="质量总监")
    MembershipFactory(
        person=world.quality_supervisor,
        organization=world.company,
        role=Membership.Role.QUALITY_SUPERVISOR,
        start=dt.date(2026, 3, 10),
    )
    return world


def _patrol(world, actor, *, on=dt.date(2026, 4, 8), inspector=None):
    return services.inspection_record(
        actor=actor,
        compound=world.compound,
        organization=world.company,
        kind=Inspection.Kind.SUPERVISOR_PATROL,
        inspected_on=on,
        areas=["保洁", "安保"],
        summary="检查合同约定的保洁频次",
        inspector=inspector,
        findings=[{"description": "3号楼楼道两天未清扫", "is_safety": False}],
    )


def test_article_4_the_supervisor_records_their_own_patrol(world):
    inspection = _patrol(world, world.quality_supervisor)
    assert inspection.inspector_id == world.quality_supervisor.pk
    assert inspection.created_by_id == world.quality_supervisor.pk


@pytest.mark.parametrize("who", ["property_company", "compound_party", "pmc"])
def test_article_4_nobody_else_records_a_patrol_in_the_supervisors_name(world, who):
    """The audit's probe: staff recorded a patrol naming anyone. Now refused."""
    actor = getattr(world.people, who)
    with pytest.raises(PermissionDenied):
        _patrol(world, actor, inspector=world.quality_supervisor)
    with pytest.raises(PermissionDenied):
        _patrol(world, world.resident)
    assert not Inspection.objects.filter(kind=Inspection.Kind.SUPERVISOR_PATROL).exists()


def test_article_4_the_supervisor_names_nobody_else(world):
    with pytest.raises(ValidationError) as exc:
        _patrol(world, world.quality_supervisor, inspector=world.resident)
    assert "inspector" in exc.value.message_dict


def test_article_4_a_former_supervisor_no_longer_records(world):
    Membership.objects.filter(person=world.quality_supervisor).update(end=dt.date(2026, 3, 31))
    with pytest.raises(PermissionDenied):
        _patrol(world, world.quality_supervisor)


def test_article_4_patrols_are_due_each_period_and_missing_ones_show(world):
    """定期: one patrol per SUPERVISOR_PATROL_MONTHS-month period from the first period with
    a supervisor (March, seated 10 March). April patrolled, March and May missing, June open."""
    assert services.SUPERVISOR_PATROL_MONTHS == 1
    _patrol(world, world.quality_supervisor, on=dt.date(2026, 4, 30))
    periods = services.supervisor_patrols_due(
        compound=world.compound, year=2026, today=dt.date(2026, 6, 1)
    )
    assert [(p.start.month, p.status) for p in periods] == [
        (3, "missing"),
        (4, "done"),
        (5, "missing"),
        (6, "open"),
    ]
    # Boundary: the last day of May is still open, the day after it is missing.
    on_31 = services.supervisor_patrols_due(
        compound=world.compound, year=2026, today=dt.date(2026, 5, 31)
    )
    assert on_31[-1].status == "open"
    assert (
        services.supervisor_patrols_missing(
            compound=world.compound, year=2026, today=dt.date(2026, 6, 1)
        )
        == 2
    )


def test_no_patrol_is_due_before_a_supervisor_is_engaged(world):
    Membership.objects.filter(person=world.quality_supervisor).delete()
    assert (
        services.supervisor_patrols_due(
            compound=world.compound, year=2026, today=dt.date(2026, 6, 1)
        )
        == []
    )


# --- 第四条 "发现违法违规行为，及时向街道和主管部门报告" ------------------------------------


@pytest.fixture
def street_bodies(world):
    """The street office and the street's competent department (主管部门) of the world."""
    return {
        "street": world.orgs.street_office,
        "department": world.orgs.department,
        "head": world.people.department,
    }


def test_article_4_the_supervisor_reports_to_the_street_and_the_department(world, street_bodies):
    from huashan.notify.models import Notification
    from pledges.models import SupervisorReport

    report = services.supervisor_report_file(
        actor=world.quality_supervisor,
        compound=world.compound,
        body="物业擅自占用消防通道设置收费停车位，违反消防法规。",
    )
    receivers = set(report.receipts.values_list("organization_id", flat=True))
    assert receivers == {street_bodies["street"].pk, street_bodies["department"].pk}
    assert report.due > report.reported_at
    assert Notification.objects.filter(recipient=street_bodies["head"]).exists()
    assert SupervisorReport.objects.count() == 1


@pytest.mark.parametrize("who", ["property_company", "compound_party"])
def test_article_4_only_the_supervisor_reports(world, street_bodies, who):
    with pytest.raises(PermissionDenied):
        services.supervisor_report_file(
            actor=getattr(world.people, who), compound=world.compound, body="某违规行为的描述。"
        )


def test_article_4_bad_report_text_is_refused(world, street_bodies):
    for bad in ("", "   ", "x" * 4001):
        with pytest.raises(ValidationError):
            services.supervisor_report_file(
                actor=world.quality_supervisor, compound=world.compound, body=bad
            )


def test_article_4_a_report_not_acknowledged_in_time_is_raised_once(world, street_bodies):
    """Tracked like a whistle: acknowledged by each body by the deadline (3 working days,
    the portal's reading of 及时); a lapse is raised once to the community party organization."""
    import time_machine

    from pledges.models import PledgeEvent

    assert services.SUPERVISOR_REPORT_ACK.amount == 3
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, tzinfo=dt.UTC), tick=False):  # Mon
        report = services.supervisor_report_file(
            actor=world.quality_supervisor, compound=world.compound, body="违规收取装修押金。"
        )
    receipt = report.receipts.get(organization=street_bodies["department"])
    with pytest.raises(PermissionDenied):
        services.supervisor_report_acknowledge(
            actor=world.people.property_company, receipt=receipt, answer="已收到"
        )
    services.supervisor_report_acknowledge(
        actor=street_bodies["head"], receipt=receipt, answer="已收到，将约谈物业企业。"
    )
    # Due at 24:00 on Thursday 19 November (3 working days after Monday).
    before = dt.datetime(2026, 11, 19, 15, 59, tzinfo=dt.UTC)  # 23:59 Beijing
    after = dt.datetime(2026, 11, 19, 16, 1, tzinfo=dt.UTC)  # 00:01 Friday Beijing
    assert services.supervisor_reports_scan_overdue(now=before) == 0
    assert services.supervisor_reports_scan_overdue(now=after) == 1
    assert services.supervisor_reports_scan_overdue(now=after) == 0
    assert PledgeEvent.objects.filter(verb="supervisor_report_overdue").count() == 1


def test_a_fully_acknowledged_report_is_not_raised(world, street_bodies):
    report = services.supervisor_report_file(
        actor=world.quality_supervisor, compound=world.compound, body="违规收取装修押金。"
    )
    street_head = world.people.street_office
    for receipt in report.receipts.select_related("organization"):
        actor = (
            street_head if receipt.organization.kind == "street_office" else street_bodies["head"]
        )
        services.supervisor_report_acknowledge(
            actor=actor, receipt=receipt, answer="已收到并处理。"
        )
    import datetime as _dt

    later = report.due + _dt.timedelta(days=1)
    assert services.supervisor_reports_scan_overdue(now=later) == 0


def test_the_inspections_page_shows_the_missing_patrols(world, django_assert_max_num_queries):
    import time_machine
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.people.compound_party)
    url = reverse("pledges:inspection_list") + f"?compound={world.compound.slug}"
    with time_machine.travel(dt.datetime(2026, 6, 2, 10, tzinfo=dt.UTC), tick=False):
        _patrol(world, world.quality_supervisor, on=dt.date(2026, 4, 30))
        html = client.get(url).content.decode()
    assert 'id="supervisor-patrols"' in html
    assert html.count('data-status="missing"') == 2  # March and May
    assert html.count('data-status="done"') == 1
