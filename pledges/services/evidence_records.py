"""Evidence the organizations record: activities, inspections and their findings.

seed: 决策报告制度 第四条 (义务质量总监 定期开展监督检查, 提出整改意见)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import require_perm as _require
from huashan.core.state import lock
from huashan.directory.models import Compound, Organization, Person
from huashan.directory.selectors import organization_of_kind

from ..models import (
    Activity,
    ActivityPhoto,
    Finding,
    Inspection,
)
from ..notices import notify_organization
from .common import TEXT_MAX, TITLE_MAX, _event, _text
from .safety import areas_clean, finding_report_major, require_may_report_major

# --- evidence ------------------------------------------------------------------


def _check_day(day, field: str, errors: dict) -> None:
    """A real date, not in the future (the error goes under ``field``)."""
    if not isinstance(day, dt.date):
        errors[field] = [_("Enter a date like 2026-01-01.")]
    elif day > timezone.localdate():
        errors[field] = [_("The date cannot be in the future.")]


def _participants(participants: Iterable, count, errors: dict) -> tuple[list, int]:
    """The people who took part and the head count (at least as many as named)."""
    participants = list(participants)
    if any(not isinstance(p, Person) for p in participants):
        errors["participants"] = [_("Choose people from the list.")]
    try:
        count = max(int(count or 0), len(participants))
        if count > 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["participant_count"] = [_("Enter a number of participants.")]
    return participants, count


def _photos(photos: Iterable, errors: dict) -> list:
    """The photos with EXIF stripped and size checked (huashan.core.photos)."""
    if not photos:
        return []
    from huashan.core.photos import photos_sanitize  # EXIF stripped, size checked

    try:
        return photos_sanitize(photos)
    except ValidationError as exc:
        errors["photos"] = [m for msgs in exc.message_dict.values() for m in msgs]
        return []


def _finding_rows(findings: Iterable[dict], errors: dict) -> list[tuple[str, bool, bool]]:
    """``(description, is_safety, major)`` of each finding typed (blank rows skipped); a
    major hazard (重大隐患) is a safety finding."""
    rows = []
    for row in findings:
        description = (row.get("description") or "").strip()
        if not description:
            continue
        if len(description) > TEXT_MAX:
            errors["findings"] = [_("A finding is too long.")]
            continue
        major = bool(row.get("major"))
        rows.append((description, major or bool(row.get("is_safety")), major))
    return rows


def activity_record(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    kind: str,
    title: str,
    held_on: dt.date,
    description: str = "",
    participants: Iterable[Person] = (),
    participant_count: int = 0,
    photos: Iterable = (),
) -> Activity:
    """Record a volunteer service, study, training, neighbourhood or cultural activity.

    seed: 小区党组织服务承诺 第4、5、9条; 物业管理委员会服务承诺 第8条.
    """
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    errors: dict[str, Any] = {}
    if kind not in Activity.Kind.values:
        errors["kind"] = [_("Choose a kind of activity.")]
    try:
        title = _text(title, field="title", max_length=TITLE_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _check_day(held_on, "held_on", errors)
    if organization.scope != compound and organization.compound_id not in (None, compound.pk):
        errors["organization"] = [_("This belongs to another compound.")]
    participants, participant_count = _participants(participants, participant_count, errors)
    try:
        description = _text(description, field="description", required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    cleaned_photos = _photos(photos, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            compound=compound,
            organization=organization,
            kind=kind,
            title=title,
            held_on=held_on,
            description=description,
            participant_count=participant_count,
            created_by=person,
        )
        if participants:
            activity.participants.set(participants)
        for photo in cleaned_photos:
            token = secrets.token_hex(16)
            record = ActivityPhoto(activity=activity, token=token)
            record.image.save(f"{token}.jpg", photo, save=False)
            record.save()
        _event(
            compound=compound,
            actor=person,
            verb="activity_record",
            note=f"{activity.get_kind_display()} {held_on} {title}",
        )
    return activity


def _finding_due(inspected_on: dt.date, *, is_safety: bool) -> dt.datetime:
    """Rectification deadline: safety findings 3 calendar days, never extended (小区党组织服务
    承诺 第7条 "发现问题限期3日内整改"); other findings 7 days (物业管理委员会服务承诺 第3条)."""
    start = timezone.make_aware(dt.datetime.combine(inspected_on, dt.time(12, 0)))
    policy = workdays.HAZARD_3_DAYS if is_safety else workdays.PLAN_7_DAYS
    return workdays.deadline(start, policy)


def inspection_record(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    kind: str,
    inspected_on: dt.date,
    areas: Iterable[str] = (),
    areas_other: str = "",
    summary: str = "",
    inspector: Person | None = None,
    owner_representatives: Iterable[Person] = (),
    findings: Iterable[dict] = (),
) -> Inspection:
    """Record an inspection with its findings.

    seed: 物业管理委员会服务承诺 第9条 (每月联合业主代表检查); 小区党组织服务承诺 第7条
    (每季度消防、电梯排查, 重大隐患即时上报: a major finding is filed at once, see
    ``safety.finding_report_major``); 决策报告制度 第四条 (义务质量总监 定期开展监督检查).
    """
    person, inspector = _inspection_recorder(actor, compound, kind=kind, inspector=inspector)
    reps = list(owner_representatives)
    (areas, areas_other), summary, finding_rows = _inspection_input(
        compound=compound,
        organization=organization,
        kind=kind,
        inspected_on=inspected_on,
        areas=(areas, areas_other),
        summary=summary,
        inspector=inspector,
        reps=reps,
        findings=findings,
    )
    if any(major for _d, _s, major in finding_rows):
        require_may_report_major(person, compound, field="findings")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            compound=compound,
            organization=organization,
            kind=kind,
            inspected_on=inspected_on,
            areas=areas,
            areas_other=areas_other,
            summary=summary,
            inspector=inspector or person,
            created_by=person,
        )
        if reps:
            inspection.owner_representatives.set(reps)
        for finding in _inspection_findings_create(inspection, finding_rows):
            if finding.major:
                finding_report_major(finding, person=person)
        _event(
            compound=compound,
            actor=person,
            verb="inspection_record",
            note=f"{inspection.get_kind_display()} {inspected_on}: {len(finding_rows)}",
        )
        if finding_rows:
            _inspection_findings_notify(compound, finding_rows)
    return inspection


def _inspection_recorder(
    actor, compound: Compound, *, kind: str, inspector: Person | None
) -> tuple[Person, Person | None]:
    """Who records the inspection, and its inspector: a patrol only by the compound's
    quality supervisor, in their own name; any other inspection by the compound's staff."""
    if kind != Inspection.Kind.SUPERVISOR_PATROL:
        person = _require(
            actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
        )
        return person, inspector
    # 决策报告制度 第四条: the 义务质量总监 patrols personally; nobody records a patrol
    # in the supervisor's name, and the supervisor names nobody else.
    from .supervisor import require_supervisor

    person = require_supervisor(
        actor,
        compound,
        _("Only the volunteer quality supervisor of this compound records a patrol."),
    )
    if inspector is not None and inspector.pk != person.pk:
        raise ValidationError(
            {"inspector": [_("The quality supervisor records their own patrol.")]}
        )
    return person, person


def _inspection_input(
    *,
    compound: Compound,
    organization: Organization,
    kind: str,
    inspected_on: dt.date,
    areas: tuple[Iterable[str], str],
    summary: str,
    inspector: Person | None,
    reps: list[Person],
    findings: Iterable[dict],
) -> tuple[tuple[list[str], str], str, list[tuple[str, bool, bool]]]:
    """The cleaned areas, summary and finding rows, or every problem at once by field."""
    errors: dict[str, Any] = {}
    if kind not in Inspection.Kind.values:
        errors["kind"] = [_("Choose a kind of inspection.")]
    _check_day(inspected_on, "inspected_on", errors)
    if organization.compound_id not in (None, compound.pk):
        errors["organization"] = [_("This belongs to another compound.")]
    try:
        areas = areas_clean(list(areas[0])[:20], areas[1])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind == Inspection.Kind.MONTHLY_SERVICE and not reps:
        errors["owner_representatives"] = [
            _("A monthly service inspection is done together with owner representatives.")
        ]
    if kind == Inspection.Kind.SUPERVISOR_PATROL and inspector is None:
        errors["inspector"] = [_("Name the quality supervisor who patrolled.")]
    try:
        summary = _text(summary, field="summary", required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    finding_rows = _finding_rows(findings, errors)
    if errors:
        raise ValidationError(errors)
    return areas, summary, finding_rows


def _inspection_findings_create(inspection: Inspection, finding_rows) -> list[Finding]:
    """One finding per row; every finding of a quarterly safety check is a safety finding."""
    created = []
    for description, is_safety, major in finding_rows:
        is_safety = is_safety or inspection.kind == Inspection.Kind.QUARTERLY_SAFETY
        created.append(
            Finding.objects.create(
                inspection=inspection,
                description=description,
                is_safety=is_safety,
                major=major,
                rectify_due=_finding_due(inspection.inspected_on, is_safety=is_safety),
            )
        )
    return created


def _inspection_findings_notify(compound: Compound, finding_rows) -> None:
    """Tell the property company what it has to rectify."""
    company = organization_of_kind(compound=compound, kind="property_company")
    if company is not None:
        notify_organization(
            company,
            subject=gettext("%(count)d findings to rectify") % {"count": len(finding_rows)},
            body="\n".join(row[0] for row in finding_rows)[:1000],
        )


def finding_add(
    *,
    actor,
    inspection: Inspection,
    description: str,
    is_safety: bool = False,
    major: bool = False,
) -> Finding:
    """Add a finding; a major hazard (重大隐患) is reported at once (小区党组织服务承诺 第7条)."""
    compound = inspection.compound
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    description = _text(description, field="description")
    major = bool(major)
    if major:
        require_may_report_major(person, compound, field="major")
    is_safety = major or bool(is_safety) or inspection.kind == Inspection.Kind.QUARTERLY_SAFETY
    with transaction.atomic():
        finding = Finding.objects.create(
            inspection=inspection,
            description=description,
            is_safety=is_safety,
            major=major,
            rectify_due=_finding_due(inspection.inspected_on, is_safety=is_safety),
        )
        _event(compound=compound, actor=person, verb="finding_add", finding=finding)
        if major:
            finding_report_major(finding, person=person)
    return finding


def finding_mark_fixed(*, actor, finding: Finding, proof: str, photo=None) -> Finding:
    """Record the fix of a finding with proof (整改 with 证明)."""
    compound = finding.inspection.compound
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    proof = _text(proof, field="proof")
    cleaned = None
    if photo is not None:
        from huashan.core.photos import photos_sanitize

        try:
            cleaned = photos_sanitize([photo])[0]
        except ValidationError as exc:
            raise ValidationError(
                {"photo": [m for msgs in exc.message_dict.values() for m in msgs]}
            ) from None
    with transaction.atomic():
        locked = lock(finding)
        if locked.fixed_at is not None:
            raise ValidationError(_("This finding is already marked as fixed."))
        locked.fixed_at = timezone.now()
        locked.fix_proof = proof
        if cleaned is not None:
            locked.fix_photo.save(f"{secrets.token_hex(16)}.jpg", cleaned, save=False)
        locked.save()
        late = locked.fixed_at > locked.rectify_due
        _event(
            compound=compound,
            actor=person,
            verb="finding_fixed",
            to_state="late" if late else "on_time",
            note=proof[:500],
            finding=locked,
        )
    return locked


def _hazard_category(finding: Finding):
    from issues.models import Category

    code = "elevator" if "电梯" in finding.description else "fire_safety"
    return (
        Category.objects.filter(code=code, active=True).first()
        or Category.objects.filter(safety_related=True, active=True).first()
        or Category.objects.filter(active=True).first()
    )


def finding_escalate_overdue(*, now: dt.datetime | None = None) -> list[Finding]:
    """An unfixed safety finding past its 3-day deadline becomes a complaint flagged as a
    hazard (seed: 小区党组织服务承诺 第7条 "重大隐患即时上报并全程跟踪"). Once per finding:
    the row is claimed with a compare-and-set update before the complaint is filed."""
    from issues.services import issue_submit

    now = now or timezone.now()
    escalated = []
    due = Finding.objects.filter(
        is_safety=True, fixed_at__isnull=True, escalated_at__isnull=True, rectify_due__lt=now
    ).select_related("inspection__compound", "inspection__created_by", "inspection__inspector")
    for finding in due[:200]:
        inspection = finding.inspection
        reporter = inspection.created_by or inspection.inspector
        category = _hazard_category(finding)
        if reporter is None or category is None:
            continue
        with transaction.atomic():
            claimed = Finding.objects.filter(pk=finding.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            description = gettext(
                "Safety finding of the %(kind)s on %(date)s not fixed within 3 days: %(text)s"
            ) % {
                "kind": inspection.get_kind_display(),
                "date": inspection.inspected_on.isoformat(),
                "text": finding.description,
            }
            result = issue_submit(
                actor=reporter,
                compound=inspection.compound,
                category=category,
                description=description[:2000],
                location_text=(
                    "、".join(map(str, inspection.area_labels)) or gettext("Common areas")
                )[:200],
                is_hazard=True,
                is_public=True,
            )
            Finding.objects.filter(pk=finding.pk).update(escalated_issue=result.issue)
            finding.escalated_issue = result.issue
            finding.escalated_at = now
            _event(
                compound=inspection.compound,
                actor=None,
                verb="finding_escalate",
                to_state="complaint",
                note=result.issue.tracking_number,
                finding=finding,
            )
        escalated.append(finding)
    return escalated
