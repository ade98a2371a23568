"""Decision reports (决策报告) and early intervention (提前介入), and the gate of major matters.

seed: 决策报告制度 第一—三条; 协同联动解决小区事务流程 第七条; 物业管理委员会服务承诺 第6条
("重大事项（如物业选聘、改造工程）必须经业主大会表决，杜绝擅自决策"); 民法典 第二百七十八条.

The gate (:func:`decision_report_gate_problems`): a matter that 决策报告制度 第二条 lists may
not open an owners' vote or "proceed" until

1. the report is filed ("提前向街道、社区、小区党组织、社区居民委员会及联席会议办公室进行书面或
   口头报告") and every listed recipient has acknowledged it;
2. for large maintenance-fund use (from ``MeetingsPolicy.large_fund_amount``), a change of the
   property company and a fee adjustment (第七条 "大额维修资金使用、物业服务企业变更、物业费调整"),
   the street and the community party organization have each *answered* the invitation to
   intervene (agree / agree with conditions / object with reasons);
3. every objection has been resolved, as recorded by the community party organization.

"Proceed" on a matter 民法典第二百七十八条 reserves to the owners also needs a passed motion.
A greenery, parking or other public matter (``hearing_subject``) also needs its held owners'
hearing (小区党组织服务承诺 8; ``hearings.hearing_gate_problems``).
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
    MeetingsPolicy,
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
from .hearings import hearing_gate_problems, hearing_subject_checked


def decision_report_create(
    *,
    actor,
    compound: Compound,
    matter: str,
    title: str,
    body: str,
    form: str = DecisionReport.Form.WRITTEN,
    amount: Decimal | None = None,
    hearing_subject: str = "",
) -> DecisionReport:
    """Draft a decision report of the PMC (seed: 决策报告制度 第二条); ``hearing_subject``
    flags a matter that needs an owners' hearing (小区党组织服务承诺 8)."""
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
    try:
        hearing_subject = hearing_subject_checked(hearing_subject)
    except ValidationError as exc:
        errors.update(exc.error_dict)
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
            hearing_subject=hearing_subject,
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
    *, actor, intervention: EarlyIntervention, response: str, answer: str = "agree"
) -> EarlyIntervention:
    """The invited body answers (协同联动 第七条 "为小区公共利益严格把关"): agree, agree with
    conditions, or object. Conditions and objections need their reasons. Only an officer of
    that body answers, once."""
    person = _require(
        actor,
        "meetings.answer_for_organization",
        intervention.organization,
        gettext("Only an officer of this body can answer for it."),
    )
    if answer not in EarlyIntervention.Answer.values:
        raise ValidationError(
            {"answer": [_("Choose agree, agree with conditions or object.")]}, code="invalid"
        )
    response = _text(
        response, field_name="response", required=answer != EarlyIntervention.Answer.AGREE
    )
    with transaction.atomic():
        locked = _lock(EarlyIntervention, intervention.pk)
        if locked.answer:
            raise MeetingStateError(_("This body has already answered."), code="answered")
        if locked.report.status not in (DecisionReport.Status.DRAFT, DecisionReport.Status.FILED):
            raise MeetingStateError(_("The report is closed."), code="invalid_state")
        locked.answer = answer
        locked.response, locked.responded_at, locked.responded_by = response, timezone.now(), person
        locked.save()
        label = EarlyIntervention.Answer(answer).label
        _report_event(
            locked.report,
            actor=person,
            verb="intervention_response",
            note=f"{locked.organization.name}: {label} {response}".strip(),
        )
        notify_organization(
            locked.report.organization,
            subject=gettext("Early intervention answer to “%(title)s”: %(answer)s")
            % {"title": locked.report.title, "answer": label},
            body=response,
            link=_link("meetings:decision_report", locked.report_id),
        )
    return _sync(intervention, locked)


def early_intervention_resolve(
    *, actor, intervention: EarlyIntervention, resolution: str
) -> EarlyIntervention:
    """The community party organization records how an objection was resolved; until then
    the gate stays shut (协同联动 第七条)."""
    report = intervention.report
    person = _require(
        actor,
        "meetings.resolve_objection",
        report,
        gettext("Only officers of the community party organization record this."),
    )
    resolution = _text(resolution, field_name="resolution")
    with transaction.atomic():
        locked = _lock(EarlyIntervention, intervention.pk)
        if locked.answer != EarlyIntervention.Answer.OBJECT:
            raise MeetingStateError(_("There is no objection to resolve."), code="no_objection")
        if locked.resolved_at:
            raise MeetingStateError(_("The objection is already resolved."), code="resolved")
        locked.resolution, locked.resolved_at, locked.resolved_by = (
            resolution,
            timezone.now(),
            person,
        )
        locked.save()
        _report_event(
            locked.report,
            actor=person,
            verb="intervention_resolve",
            note=f"{locked.organization.name}: {resolution}",
        )
    return _sync(intervention, locked)


def large_fund_amount(compound) -> Decimal:
    """The compound's "large amount" of maintenance-fund use (policy value, with a default)."""
    return MeetingsPolicy.for_compound(compound).large_fund_amount


def needs_early_intervention(*, matter: str, amount, compound) -> bool:
    """协同联动 第七条: large maintenance-fund use (amount at or above the compound's threshold;
    an unknown amount counts as large), a change of the property company, a fee adjustment."""
    if matter not in DecisionReport.EARLY_INTERVENTION_MATTERS:
        return False
    if matter == DecisionReport.Matter.MAINTENANCE_FUND and amount is not None:
        return Decimal(amount) >= large_fund_amount(compound)
    return True


def decision_report_gate_problems(*, report: DecisionReport) -> list[str]:
    """What still keeps the matter from a vote or from proceeding; empty when the gate is
    open (决策报告制度 第二条; 协同联动 第七条)."""
    problems: list[str] = []
    if report.status == DecisionReport.Status.WITHDRAWN:
        return [gettext("The decision report was withdrawn.")]
    if report.status == DecisionReport.Status.DRAFT:
        problems.append(
            gettext("The decision report has not been filed in advance (决策报告制度 第二条).")
        )
    else:
        recipients = list(report.recipients.select_related("organization"))
        if not recipients:
            problems.append(gettext("The decision report has no recipients."))
        missing = [r.organization.name for r in recipients if r.acknowledged_at is None]
        if missing:
            problems.append(
                gettext("Not yet acknowledged by: %(names)s") % {"names": "、".join(missing)}
            )
    problems.extend(hearing_gate_problems(item=report))
    if needs_early_intervention(
        matter=report.matter, amount=report.amount, compound=report.compound_id
    ):
        answers = {
            i.organization.kind: i for i in report.interventions.select_related("organization")
        }
        for kind in DecisionReport.EARLY_INTERVENTION_KINDS:
            label = str(Kind(kind).label)
            item = answers.get(kind)
            if item is None:
                problems.append(
                    gettext("%(body)s has not been invited to intervene early (协同联动 第七条).")
                    % {"body": label}
                )
            elif not item.answer:
                problems.append(
                    gettext("%(body)s has not answered the invitation to intervene early.")
                    % {"body": item.organization.name}
                )
            elif item.answer == EarlyIntervention.Answer.OBJECT and item.resolved_at is None:
                problems.append(
                    gettext(
                        "%(body)s objected; the community party organization has not yet "
                        "recorded how the objection was resolved."
                    )
                    % {"body": item.organization.name}
                )
    return problems


#: Owners'-assembly matters → the matter of the advance decision report they need
#: (决策报告制度 第二条). ``fund_use`` needs one only from the large amount on.
MOTION_REPORT_MATTERS = {
    "committee_election": DecisionReport.Matter.PMC_MEMBERS,
    "company_selection": DecisionReport.Matter.COMPANY_SELECTION,
    "fund_use": DecisionReport.Matter.MAINTENANCE_FUND,
    "rebuilding": DecisionReport.Matter.FACILITY_REPAIR,
    "common_parts_use": DecisionReport.Matter.COMMON_PARTS,
    "fee_adjustment": DecisionReport.Matter.FEE_ADJUSTMENT,
}
#: Decision-report matters 民法典第二百七十八条 reserves to the owners' vote: (四) hiring or
#: dismissing the property company, (五)(六) using or raising the maintenance fund, (八)
#: changing the use of common parts or operating them.
RESERVED_REPORT_MATTERS = frozenset(
    {
        DecisionReport.Matter.COMPANY_SELECTION,
        DecisionReport.Matter.MAINTENANCE_FUND,
        DecisionReport.Matter.COMMON_PARTS,
    }
)


def motion_needs_report(motion) -> bool:
    matter = MOTION_REPORT_MATTERS.get(motion.matter)
    if matter is None:
        return False
    if matter == DecisionReport.Matter.MAINTENANCE_FUND and motion.amount is not None:
        return Decimal(motion.amount) >= large_fund_amount(motion.compound_id)
    return True


def motion_gate_problems(*, motion) -> list[str]:
    """Why the owners' vote on ``motion`` may not open yet (empty: it may): its own owners'
    hearing (小区党组织服务承诺 8), then the advance decision report of the matter."""
    hearing = hearing_gate_problems(item=motion)
    if not motion_needs_report(motion):
        return hearing
    return hearing + _motion_report_problems(motion)


def _motion_report_problems(motion) -> list[str]:
    report = (
        DecisionReport.objects.filter(pk=motion.decision_report_id).first()
        if motion.decision_report_id
        else None
    )  # read afresh: the gate is decided on the report as it is now
    wanted = MOTION_REPORT_MATTERS[motion.matter]
    if report is None:
        return [
            gettext(
                "This matter needs an advance decision report (决策报告制度 第二条): "
                "link the report of the matter “%(matter)s” first."
            )
            % {"matter": DecisionReport.Matter(wanted).label}
        ]
    if report.compound_id != motion.compound_id or report.matter != wanted:
        return [gettext("The linked decision report is about another matter or compound.")]
    return decision_report_gate_problems(report=report)


def decision_report_missing_interventions(*, report: DecisionReport) -> list[str]:
    """Kinds of the bodies still to be invited before the matter may proceed (第七条)."""
    if not needs_early_intervention(
        matter=report.matter, amount=report.amount, compound=report.compound_id
    ):
        return []
    invited = set(report.interventions.values_list("organization__kind", flat=True))
    return [k for k in DecisionReport.EARLY_INTERVENTION_KINDS if k not in invited]


def decision_report_proceed(*, actor, report: DecisionReport, note: str = "") -> DecisionReport:
    """The PMC may proceed with the matter once the gate is open
    (:func:`decision_report_gate_problems`) and, for a matter 民法典第二百七十八条 reserves to
    the owners, a motion on it has passed; otherwise :class:`EarlyInterventionRequired`."""
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
        problems = decision_report_gate_problems(report=locked)
        if problems:
            raise EarlyInterventionRequired(
                _("The matter may not proceed yet: %(problems)s")
                % {"problems": "；".join(problems)},
                code="early_intervention_required",
            )
        if (
            locked.matter in RESERVED_REPORT_MATTERS
            and not locked.motions.filter(passed=True).exists()
        ):
            raise EarlyInterventionRequired(
                _(
                    "The owners decide this matter (民法典第二百七十八条): it may proceed only "
                    "after an owners' assembly motion on it has passed."
                ),
                code="motion_required",
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


def meetings_policy_update(
    *, actor, compound: Compound, public_to_visitors: bool, large_fund_amount
) -> MeetingsPolicy:
    """The community party organization sets the compound's participation settings: whether
    visitors may read the public meeting pages, and the "large amount" of maintenance-fund
    use that needs early intervention (协同联动 第七条 "大额维修资金使用")."""
    person = _require(
        actor,
        "meetings.set_policy",
        compound,
        gettext("Only officers of the community party organization set this."),
    )
    try:
        amount = Decimal(large_fund_amount).quantize(Decimal("0.01"))
        if amount <= 0 or amount >= Decimal("1e10"):
            raise ValueError
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError(
            {"large_fund_amount": ValidationError(_("Give a valid amount."), code="invalid")}
        ) from None
    with transaction.atomic():
        policy, _made = MeetingsPolicy.objects.select_for_update().get_or_create(compound=compound)
        policy.public_to_visitors = bool(public_to_visitors)
        policy.large_fund_amount = amount
        policy.updated_by = person
        policy.updated_at = timezone.now()
        policy.save()
    return policy
