"""The volunteer quality supervisor (义务质量总监) of 决策报告制度 第四条.

"小区物业服务企业聘请义务质量总监，监督物业服务企业执行国家政策和合同约定…定期开展监督检查，
及时向企业提出整改意见；发现违法违规行为，及时向街道和主管部门报告；结合年度考评工作，对物业
服务企业提出评价意见；参与小区联席会议。"

* Who the supervisors are (the role held in the compound's property company).
* The patrols due at a cadence, and the missing ones (:func:`supervisor_patrols_due`). The seed
  says 定期 without a number; :data:`SUPERVISOR_PATROL_MONTHS` is this portal's reading.
* The supervisor attends joint meetings as an observer: ``meetings`` derives the seat from the
  directory like every other observer (``meetings/services/_common.py::OBSERVER_ROLES``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import acting_person
from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notify_person
from huashan.periods import add_months

from ..models import Inspection, SupervisorReport, SupervisorReportReceipt
from ..notices import notify_organization
from .common import _event, _text

Role = Membership.Role

#: 决策报告制度 第四条 "定期开展监督检查": the seed gives no number; the portal reads 定期 as
#: one patrol in every period of this many months (a month by default).
SUPERVISOR_PATROL_MONTHS = 1


def require_supervisor(actor, compound: Compound, message) -> Person:
    """The acting person if they hold the 义务质量总监 role in the compound now; a superuser
    does not pass (``rules.test_rule``, not ``has_perm``): the rule names a person."""
    person = acting_person(actor)
    if person is None or not rules.test_rule("pledges.record_supervisor_patrol", person, compound):
        raise PermissionDenied(message)
    return person


def quality_supervisors(*, compound: Compound, on: dt.date | None = None) -> list[Person]:
    """The current 义务质量总监 of the compound (the role in its property company)."""
    seats = (
        Membership.objects.current(on)
        .filter(
            role=Role.QUALITY_SUPERVISOR,
            organization__kind=Organization.Kind.PROPERTY_COMPANY,
            organization__compound=compound,
        )
        .select_related("person")
        .order_by("start", "pk")
    )
    seen: dict[int, Person] = {}
    for seat in seats:
        seen.setdefault(seat.person_id, seat.person)
    return list(seen.values())


@dataclass(frozen=True)
class PatrolPeriod:
    start: dt.date
    end: dt.date
    patrols: int
    #: "done", "missing" (the period is over without a patrol), "open" (still running)
    status: str


def supervisor_patrols_due(*, compound: Compound, year: int, today: dt.date) -> list[PatrolPeriod]:
    """The patrol periods of ``year`` up to ``today`` with their patrols: one query.

    A period counts from the first period in which a supervisor held the role; before the
    compound has a supervisor nothing is due (the company engages one: 第四条 "聘请")."""
    first_seat = (
        Membership.objects.filter(
            role=Role.QUALITY_SUPERVISOR,
            organization__kind=Organization.Kind.PROPERTY_COMPANY,
            organization__compound=compound,
        )
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    if first_seat is None:
        return []
    start = dt.date(year, 1, 1)
    end_of_year = dt.date(year, 12, 31)
    days = list(
        Inspection.objects.filter(
            compound=compound,
            kind=Inspection.Kind.SUPERVISOR_PATROL,
            inspected_on__range=(start, end_of_year),
        ).values_list("inspected_on", flat=True)
    )
    periods: list[PatrolPeriod] = []
    period_start = start
    while period_start <= min(today, end_of_year):
        nxt = add_months(period_start, SUPERVISOR_PATROL_MONTHS)  # from a 1st, to a 1st
        period_end = nxt - dt.timedelta(days=1)
        if period_end >= dt.date(first_seat.year, first_seat.month, 1):
            count = sum(1 for d in days if period_start <= d <= period_end)
            if count:
                status = "done"
            elif today > period_end:
                status = "missing"
            else:
                status = "open"
            periods.append(PatrolPeriod(period_start, period_end, count, status))
        period_start = nxt
    return periods


def supervisor_patrols_missing(*, compound: Compound, year: int, today: dt.date) -> int:
    return sum(
        1
        for p in supervisor_patrols_due(compound=compound, year=year, today=today)
        if p.status == "missing"
    )


# --- violation reports to the street and the competent departments ---------------------

#: 决策报告制度 第四条 "及时向街道和主管部门报告": the seed sets no number for how soon the
#: street and the departments take the report up; the portal asks each to acknowledge it
#: within this many working days, and raises the lapse to the community party organization.
SUPERVISOR_REPORT_ACK = workdays.DeadlinePolicy(
    kind=workdays.DeadlineKind.WORKING_DAYS,
    amount=3,
    code="supervisor_report_3_working_days",
    label=_("The street and departments acknowledge a supervisor's report within 3 working days"),
)
REPORT_MAX_CHARS = 4000


def _report_recipients(compound: Compound) -> list[Organization]:
    """The street office and the street's competent departments (主管部门)."""
    street_id = compound.community.street_id
    return list(
        Organization.objects.filter(
            street_id=street_id,
            kind__in=(Organization.Kind.STREET_OFFICE, Organization.Kind.DEPARTMENT),
        ).order_by("kind", "pk")
    )


def supervisor_report_file(*, actor, compound: Compound, body: str) -> SupervisorReport:
    """The supervisor reports a violation (第四条 "发现违法违规行为，及时向街道和主管部门
    报告"): it goes to the street office and each competent department of the street, each
    of which acknowledges it by :data:`SUPERVISOR_REPORT_ACK`."""
    person = require_supervisor(
        actor, compound, _("Only the volunteer quality supervisor of this compound reports here.")
    )
    body = _text(body, field="body", max_length=REPORT_MAX_CHARS)
    recipients = _report_recipients(compound)
    if not recipients:
        raise ValidationError(
            _("The street of this compound has no street office or department in the directory.")
        )
    now = timezone.now()
    with transaction.atomic():
        report = SupervisorReport.objects.create(
            compound=compound,
            reported_by=person,
            body=body,
            reported_at=now,
            due=workdays.deadline(now, SUPERVISOR_REPORT_ACK),
        )
        SupervisorReportReceipt.objects.bulk_create(
            SupervisorReportReceipt(report=report, organization=o) for o in recipients
        )
        _event(
            compound=compound,
            actor=person,
            verb="supervisor_report",
            note=", ".join(o.name for o in recipients)[:500],
        )
        for organization in recipients:
            notify_organization(
                organization,
                subject=gettext("Quality supervisor's report from %(compound)s")
                % {"compound": compound.name},
                body=body[:1000],
            )
    return report


def supervisor_report_acknowledge(
    *, actor, receipt: SupervisorReportReceipt, answer: str
) -> SupervisorReportReceipt:
    """A body the report went to takes it up, with its answer to the supervisor."""
    person = acting_person(actor)
    if person is None or not (
        Membership.objects.current()
        .filter(person=person, organization_id=receipt.organization_id)
        .exists()
    ):
        raise PermissionDenied(_("Only the body the report went to acknowledges it."))
    answer = _text(answer, field="answer", max_length=REPORT_MAX_CHARS)
    with transaction.atomic():
        locked = SupervisorReportReceipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError(_("This report was already acknowledged."))
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = person
        locked.answer = answer
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "answer"])
        report = locked.report
        _event(
            compound=report.compound,
            actor=person,
            verb="supervisor_report_ack",
            note=answer[:500],
        )
        notify_person(
            person=report.reported_by,
            subject=gettext("Your report was acknowledged"),
            body=answer[:1000],
        )
    return locked


def supervisor_reports_scan_overdue(*, now: dt.datetime | None = None) -> int:
    """Raise each report not acknowledged by every recipient when due, once: the community
    party organization of the compound and the street office hear it (system task)."""
    now = now or timezone.now()
    raised = 0
    late = (
        SupervisorReport.objects.filter(
            due__lt=now,
            overdue_raised_at__isnull=True,
            receipts__acknowledged_at__isnull=True,
        )
        .select_related("compound__community")
        .distinct()
    )
    for report in late:
        with transaction.atomic():
            if not SupervisorReport.objects.filter(
                pk=report.pk, overdue_raised_at__isnull=True
            ).update(overdue_raised_at=now):
                continue
            missing = [
                r.organization
                for r in report.receipts.filter(acknowledged_at__isnull=True).select_related(
                    "organization"
                )
            ]
            _event(
                compound=report.compound,
                actor=None,
                verb="supervisor_report_overdue",
                note=", ".join(o.name for o in missing)[:500],
            )
            party = organization_of_kind(
                compound=report.compound, kind=Organization.Kind.COMMUNITY_PARTY
            )
            for organization in [party, *missing]:
                if organization is not None:
                    notify_organization(
                        organization,
                        subject=gettext("A quality supervisor's report is not acknowledged"),
                        body=report.body[:1000],
                    )
            raised += 1
    return raised
