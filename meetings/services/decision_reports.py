"""Decision reports (决策报告) and early intervention (提前介入).

seed: 决策报告制度 第一—三条; 协同联动解决小区事务流程 第七条.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound

from ..models import (
    DecisionReport,
    DecisionReportRecipient,
    EarlyIntervention,
)
from ._common import (
    REASON_MAX,
    TITLE_MAX,
    EarlyInterventionRequired,
    Kind,
    MeetingStateError,
    _guard,
    _link,
    _lock,
    _orgs_of_kinds,
    _report_event,
    _sync,
    _text,
    notify_organization,
)


def decision_report_create(
    *,
    actor,
    compound: Compound,
    matter: str,
    title: str,
    body: str,
    form: str = DecisionReport.Form.WRITTEN,
    amount: Decimal | None = None,
) -> DecisionReport:
    """Draft a decision report of the PMC (seed: 决策报告制度 第二条)."""
    person = _require(
        actor, "meetings.file_decision_report", compound, gettext("Only PMC officers file reports.")
    )
    errors: dict[str, list] = {}
    if matter not in DecisionReport.Matter.values:
        errors["matter"] = [ValidationError(_("Choose the matter."), code="invalid")]
    if form not in DecisionReport.Form.values:
        errors["form"] = [ValidationError(_("Choose written or oral."), code="invalid")]
    if amount is not None:
        try:
            amount = Decimal(amount).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e10"):
                raise ValueError
        except (ArithmeticError, ValueError, TypeError):
            errors["amount"] = [ValidationError(_("Give a valid amount."), code="invalid")]
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    body = _text(body, field_name="body")
    pmc = (_orgs_of_kinds(compound, [Kind.PMC]) or [None])[0]
    if pmc is None:
        errors["__all__"] = [ValidationError(_("The compound has no PMC."), code="no_pmc")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = DecisionReport.objects.create(
            compound=compound,
            organization=pmc,
            matter=matter,
            title=title,
            body=body,
            form=form,
            amount=amount,
        )
        _report_event(report, actor=person, verb="create", to_state=report.status)
    return report


def decision_report_file(*, actor, report: DecisionReport) -> DecisionReport:
    """Report in advance to the street, the community party org, the compound party
    org, the RC and the meeting office (决策报告制度 第二条); each acknowledges."""
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers file reports.")
    )
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        old = _guard(locked, "status", DecisionReport.Status.FILED)
        recipients = _orgs_of_kinds(locked.compound, DecisionReport.RECIPIENT_KINDS)
        DecisionReportRecipient.objects.bulk_create(
            [DecisionReportRecipient(report=locked, organization=o) for o in recipients],
            ignore_conflicts=True,
        )
        locked.status = DecisionReport.Status.FILED
        locked.filed_by = person
        locked.filed_at = timezone.now()
        locked.save(update_fields=["status", "filed_by", "filed_at"])
        _report_event(locked, actor=person, verb="file", from_state=old, to_state=locked.status)
        subject = gettext("Decision report: %(title)s") % {"title": locked.title}
        if locked.needs_early_intervention:
            subject = gettext("[Early intervention needed] %(subject)s") % {"subject": subject}
        for org in recipients:
            notify_organization(
                org,
                subject=subject,
                body=locked.body,
                link=_link("meetings:decision_report", locked.pk),
            )
    return _sync(report, locked)


def decision_report_acknowledge(
    *, actor, recipient: DecisionReportRecipient, answer: str = ""
) -> DecisionReportRecipient:
    """A recipient body acknowledges the report and may answer (决策报告制度 第三条)."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        recipient.organization,
        gettext("Only a member of this body can answer for it."),
    )
    answer = _text(answer, field_name="answer", required=False)
    with transaction.atomic():
        locked = _lock(DecisionReportRecipient, recipient.pk)
        report = locked.report
        if report.status == DecisionReport.Status.DRAFT:
            raise MeetingStateError(_("The report has not been filed."), code="invalid_state")
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, person
        if answer:
            locked.answer, locked.answered_at, locked.answered_by = answer, now, person
        locked.save()
        _report_event(
            report,
            actor=person,
            verb="answer" if answer else "acknowledge",
            note=f"{locked.organization.name}: {answer}",
        )
        if answer:
            notify_organization(
                report.organization,
                subject=gettext("Answer to your decision report “%(title)s”")
                % {"title": report.title},
                body=answer,
                link=_link("meetings:decision_report", report.pk),
            )
    return _sync(recipient, locked)


def decision_report_invite_intervention(
    *, actor, report: DecisionReport, note: str = ""
) -> list[EarlyIntervention]:
    """联席会议办公室 invites the street and the community party org to intervene early
    (seed: 协同联动 第七条). Idempotent per body."""
    person = _require(actor, "meetings.run_office", report, gettext("Only the office invites."))
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        if locked.status not in (DecisionReport.Status.DRAFT, DecisionReport.Status.FILED):
            raise MeetingStateError(_("The report is closed."), code="invalid_state")
        bodies = _orgs_of_kinds(locked.compound, DecisionReport.EARLY_INTERVENTION_KINDS)
        if len(bodies) < len(DecisionReport.EARLY_INTERVENTION_KINDS):
            raise ValidationError(
                _(
                    "The street office or the community party organization "
                    "is missing in the directory."
                ),
                code="missing_body",
            )
        created = []
        for org in bodies:
            invitation, made = EarlyIntervention.objects.get_or_create(
                report=locked, organization=org, defaults={"invited_by": person, "note": note}
            )
            if made:
                created.append(invitation)
                notify_organization(
                    org,
                    subject=gettext("Invitation to intervene early: %(title)s")
                    % {"title": locked.title},
                    body=note or locked.body,
                    link=_link("meetings:decision_report", locked.pk),
                )
        if created:
            _report_event(
                locked,
                actor=person,
                verb="invite_intervention",
                note="、".join(i.organization.name for i in created),
            )
    return created


def early_intervention_respond(
    *, actor, intervention: EarlyIntervention, response: str
) -> EarlyIntervention:
    """The invited body records its opinion (协同联动 第七条 严格把关)."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        intervention.organization,
        gettext("Only a member of this body can answer for it."),
    )
    response = _text(response, field_name="response")
    with transaction.atomic():
        locked = _lock(EarlyIntervention, intervention.pk)
        locked.response, locked.responded_at, locked.responded_by = response, timezone.now(), person
        locked.save()
        _report_event(
            locked.report,
            actor=person,
            verb="intervention_response",
            note=f"{locked.organization.name}: {response}",
        )
    return _sync(intervention, locked)


def decision_report_missing_interventions(*, report: DecisionReport) -> list[str]:
    """Kinds of the bodies still to be invited before the matter may proceed (第七条)."""
    if not report.needs_early_intervention:
        return []
    invited = set(report.interventions.values_list("organization__kind", flat=True))
    return [k for k in DecisionReport.EARLY_INTERVENTION_KINDS if k not in invited]


def decision_report_proceed(*, actor, report: DecisionReport, note: str = "") -> DecisionReport:
    """The PMC may proceed with the matter once reported in advance.

    For large maintenance-fund use, change of the property company and fee
    adjustment the street and the community party org must have been invited to
    intervene early (seed: 协同联动 第七条); otherwise
    :class:`EarlyInterventionRequired` is raised.
    """
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers do this.")
    )
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        if locked.status == DecisionReport.Status.DRAFT:
            raise MeetingStateError(
                _("File the report in advance before proceeding."), code="not_filed"
            )
        old = _guard(locked, "status", DecisionReport.Status.PROCEEDING)
        missing = decision_report_missing_interventions(report=locked)
        if missing:
            raise EarlyInterventionRequired(
                _(
                    "This matter needs the street and the community party organization "
                    "invited to intervene early first (协同联动 第七条). Missing: %(names)s"
                )
                % {"names": "、".join(str(Kind(k).label) for k in missing)},
                code="early_intervention_required",
            )
        locked.status = DecisionReport.Status.PROCEEDING
        locked.proceed_at = timezone.now()
        locked.save(update_fields=["status", "proceed_at"])
        _report_event(
            locked, actor=person, verb="proceed", from_state=old, to_state=locked.status, note=note
        )
    return _sync(report, locked)


def decision_report_withdraw(*, actor, report: DecisionReport, reason: str) -> DecisionReport:
    """Withdraw a report (the matter is dropped), with a reason."""
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers do this.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        old = _guard(locked, "status", DecisionReport.Status.WITHDRAWN)
        locked.status = DecisionReport.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        _report_event(
            locked,
            actor=person,
            verb="withdraw",
            from_state=old,
            to_state=locked.status,
            note=reason,
        )
    return _sync(report, locked)
