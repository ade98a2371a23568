"""The meeting summary (会议纪要): draft, 会签, approval, 分送 and receipts, and the public posting.

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Organization, Person

from ..models import (
    Meeting,
    Summary,
    SummarySignature,
)
from ..models.summaries import COUNTERSIGN_WINDOW
from ._common import (
    REASON_MAX,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    MStatus,
    _guard,
    _localdate,
    _lock,
    _meeting_event,
    _orgs_of_kinds,
    _sync,
    _text,
    meeting_link,
    notify_organization,
)


def _summary_text_from_minutes(meeting: Meeting) -> str:
    from ..selectors import meeting_minutes

    return render_to_string(
        "pdf/meetings/summary_body.txt",
        {"meeting": meeting, "minutes": list(meeting_minutes(meeting=meeting))},
    ).strip()


def summary_draft(*, actor, meeting: Meeting, body: str | None = None) -> Summary:
    """Draft the 会议纪要 from the minutes (or with ``body``) once the meeting is held.

    seed: 联席会议议事规则 第四条 (草拟会议纪要). Redrafting is allowed while it is a draft.
    """
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office drafts it."))
    if meeting.status != MStatus.HELD:
        raise MeetingStateError(_("Draft the summary after the meeting is held."), code="not_held")
    text = body if body is not None else _summary_text_from_minutes(meeting)
    text = _text(text, field_name="body")
    with transaction.atomic():
        summary, created = Summary.objects.select_for_update().get_or_create(
            meeting=meeting, defaults={"body": text, "drafted_by": person}
        )
        if not created:
            if summary.status != Summary.Status.DRAFT:
                raise MeetingStateError(
                    _("The summary is no longer a draft."), code="invalid_state"
                )
            summary.body = text
            summary.drafted_by = person
            summary.drafted_at = timezone.now()
            summary.save()
        _meeting_event(meeting, actor=person, verb="summary_draft")
    return summary


def summary_submit_for_countersign(*, actor, summary: Summary) -> Summary:
    """Send the draft to the four bodies for 会签 (第四条), with a deadline
    (:data:`COUNTERSIGN_WINDOW` from now) after which the chair may approve without
    a missing countersignature."""
    meeting = summary.meeting
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office does this."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        old = _guard(locked, "status", Summary.Status.COUNTERSIGNING)
        bodies = _orgs_of_kinds(meeting.compound, Summary.BODY_KINDS)
        locked.signatures.filter(kind=SummarySignature.Kind.COUNTERSIGN).delete()
        SummarySignature.objects.bulk_create(
            [
                SummarySignature(
                    summary=locked, kind=SummarySignature.Kind.COUNTERSIGN, organization=o
                )
                for o in bodies
            ]
        )
        locked.status = Summary.Status.COUNTERSIGNING
        locked.countersign_due = workdays.deadline(timezone.now(), COUNTERSIGN_WINDOW)
        locked.save(update_fields=["status", "countersign_due"])
        due_text = workdays.format_deadline(locked.countersign_due)
        _meeting_event(
            meeting,
            actor=person,
            verb="summary_countersign_request",
            from_state=old,
            to_state=locked.status,
            note=gettext("Countersign by %(due)s") % {"due": due_text},
        )
        body = "\n\n".join(
            [
                locked.body,
                gettext(
                    "Please countersign by %(due)s. After that the chair may approve the "
                    "summary without your countersignature; it will say so."
                )
                % {"due": due_text},
            ]
        )
        for org in bodies:
            notify_organization(
                org,
                subject=gettext("Please countersign the summary of “%(title)s”")
                % {"title": meeting.title},
                body=body,
                link=meeting_link(meeting),
            )
    return _sync(summary, locked)


def summary_countersign(
    *, actor, summary: Summary, organization: Organization, comment: str = ""
) -> SummarySignature:
    """会签 by one of the four bodies (a current officer/staff member of that body)."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        organization,
        gettext("Only a member of this body can countersign for it."),
    )
    comment = _text(comment, field_name="comment", max_length=REASON_MAX, required=False)
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        if locked.status != Summary.Status.COUNTERSIGNING:
            raise MeetingStateError(_("The summary is not out for countersigning."))
        sig = (
            locked.signatures.select_for_update()
            .filter(kind=SummarySignature.Kind.COUNTERSIGN, organization=organization)
            .first()
        )
        if sig is None:
            raise PermissionDenied(gettext("This body does not countersign this summary."))
        if sig.signed_at is None:
            sig.signed_at = timezone.now()
            sig.signed_by = person
            sig.comment = comment
            sig.save()
            _meeting_event(
                locked.meeting,
                actor=person,
                verb="summary_countersigned",
                note=organization.name,
            )
    return sig


def summary_return_to_draft(*, actor, summary: Summary, reason: str) -> Summary:
    """Take the summary back for changes (countersignatures are dropped)."""
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    meeting = summary.meeting
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office does this."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        old = _guard(locked, "status", Summary.Status.DRAFT)
        locked.signatures.filter(kind=SummarySignature.Kind.COUNTERSIGN).delete()
        locked.status = Summary.Status.DRAFT
        locked.countersign_due = None
        locked.save(update_fields=["status", "countersign_due"])
        _meeting_event(
            meeting,
            actor=person,
            verb="summary_returned",
            from_state=old,
            to_state=locked.status,
            note=reason,
        )
    return _sync(summary, locked)


def summary_approve(*, actor, summary: Summary) -> Summary:
    """The chair approves the summary once all four bodies countersigned or, after
    :attr:`Summary.countersign_due`, with the missing countersignatures recorded.

    seed: 联席会议议事规则 第四条 — the office drafts the 会议纪要 and 分送 it to the four
    bodies; the rules give none of them a veto, so a body that does not countersign
    by the deadline is marked (``missing_at_approval``), named in the event and told,
    and the record shows it. Before the deadline a missing countersignature still stops
    the approval. The meeting moves to ``minutes_approved``; from now on minutes change
    only through :func:`minutes_revise`.
    """
    meeting = summary.meeting
    person = _person(actor)
    allowed = person is not None and (
        (meeting.chair_id and meeting.chair_id == person.pk)
        or (meeting.chair_id is None and person.has_perm("meetings.convene", meeting))
        or person.is_superuser
    )
    if not allowed:
        raise PermissionDenied(gettext("Only the chair approves the summary."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        _guard(locked, "status", Summary.Status.APPROVED)
        now = timezone.now()
        missing_rows = list(
            locked.signatures.select_for_update()
            .filter(kind=SummarySignature.Kind.COUNTERSIGN, signed_at__isnull=True)
            .select_related("organization")
        )
        missing = [row.organization.name for row in missing_rows]
        note = ""
        if missing:
            due = locked.countersign_due
            if due is None or now < due:
                raise MeetingStateError(
                    _(
                        "Still waiting for the countersignature of: %(names)s. "
                        "The chair may approve without it after %(due)s."
                    )
                    % {
                        "names": "、".join(missing),
                        "due": workdays.format_deadline(due) if due else "—",
                    },
                    code="countersign_missing",
                )
            SummarySignature.objects.filter(pk__in=[row.pk for row in missing_rows]).update(
                missing_at_approval=True
            )
            note = gettext(
                "Approved after the countersign deadline without the countersignature of: %(names)s"
            ) % {"names": "、".join(missing)}
        locked.status = Summary.Status.APPROVED
        locked.approved_by = person
        locked.approved_at = now
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        m = _lock(Meeting, meeting.pk)
        m_old = _guard(m, "status", MStatus.MINUTES_APPROVED)
        m.status = MStatus.MINUTES_APPROVED
        m.save(update_fields=["status"])
        _meeting_event(
            m,
            actor=person,
            verb="summary_approve",
            from_state=m_old,
            to_state=m.status,
            note=note,
        )
        for row in missing_rows:
            notify_organization(
                row.organization,
                subject=gettext(
                    "The summary of “%(title)s” was approved without your countersignature"
                )
                % {"title": meeting.title},
                body=note,
                link=meeting_link(meeting),
            )
    _sync(meeting, m)
    return _sync(summary, locked)


#: Bodies in whose name the summary is posted, in order of preference: the office runs
#: the joint meeting and issues its documents (联席会议议事规则 第四条); the compound party
#: organization leads the disclosure system (公示承诺制度 第一条); the RC property
#: committee takes part in the office's work.
SUMMARY_PUBLISHER_KINDS = (
    Kind.JOINT_MEETING_OFFICE,
    Kind.COMPOUND_PARTY,
    Kind.RC_PROPERTY_COMMITTEE,
)


def _summary_publisher(person: Person, compound: Compound) -> Organization | None:
    """The office-side body that ``person`` may publish for, preferring the office."""
    from disclosures.selectors import publisher_organizations

    allowed = {o.pk: o for o in publisher_organizations(person=person, compound=compound)}
    for kind in SUMMARY_PUBLISHER_KINDS:
        for org in _orgs_of_kinds(compound, [kind]):
            if org.pk in allowed:
                return org
    return None


def _summary_disclosure_body(summary: Summary) -> str:
    """The summary as Markdown: every line of the plain-text summary stays a line; a
    first line repeating the posting's title is left out (the board shows the title)."""
    lines = [line.rstrip() for line in (summary.body or "").splitlines() if line.strip()]
    if lines and lines[0].strip() == _public_summary_title(summary.meeting):
        lines = lines[1:]
    return "\n\n".join(lines)


def _public_summary_title(meeting: Meeting) -> str:
    """The board's title, "2026年3月联席会议纪要" (the meeting's title already ends in
    会议), in the portal's language whatever the clerk's UI language: residents read it."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        pattern = gettext("Summary of the meeting “%(title)s”")
    full = pattern % {"title": meeting.title}
    if len(full) <= TITLE_MAX:  # the board's title holds as much as a meeting's
        return full
    room = TITLE_MAX - (len(full) - len(meeting.title)) - 1
    return pattern % {"title": meeting.title[:room] + "…"}


def _publish_public_summary(*, person: Person, summary: Summary):
    """Post the approved summary on the compound's disclosure board (seed: 公示承诺制度
    第一条; 联席会议议事规则 第四条 "会议纪要…分送"). Returns the disclosure.

    No source link is given: the board carries the whole summary, and the meeting page
    it would point to is for staff, so a resident would land on a refusal (the audit's
    "请填写 http(s) 链接。" came from passing that page's relative path here).
    """
    from disclosures.services import disclosure_publish_external

    meeting = summary.meeting
    publisher = _summary_publisher(person, meeting.compound)
    if publisher is None:
        raise ValidationError(
            {
                "summary": [
                    gettext(
                        "You may not publish on the disclosure board for the joint-meeting "
                        "office of this compound, so the summary cannot be posted. Ask the "
                        "office clerk to distribute it."
                    )
                ]
            },
            code="no_publisher",
        )
    day = _localdate(meeting.start)
    return disclosure_publish_external(
        actor=person,
        compound=meeting.compound,
        organization=publisher,
        category_code="meeting_summary",
        title=_public_summary_title(meeting),
        body=_summary_disclosure_body(summary),
        period_start=day,
        period_end=day,
    )


def summary_distribute(*, actor, summary: Summary) -> Summary:
    """分送: send the approved summary to the four bodies for 签收 (第四条); post it
    publicly when the meeting is marked so. The meeting is then closed."""
    meeting = summary.meeting
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office does this."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        _guard(locked, "status", Summary.Status.DISTRIBUTED)
        bodies = _orgs_of_kinds(meeting.compound, Summary.BODY_KINDS)
        SummarySignature.objects.bulk_create(
            [
                SummarySignature(summary=locked, kind=SummarySignature.Kind.RECEIPT, organization=o)
                for o in bodies
            ],
            ignore_conflicts=True,
        )
        locked.status = Summary.Status.DISTRIBUTED
        locked.distributed_at = timezone.now()
        disclosure = None
        if meeting.summary_public:
            disclosure = _publish_public_summary(person=person, summary=locked)
            locked.public_disclosure_id = disclosure.pk
        locked.save()
        m = _lock(Meeting, meeting.pk)
        m_old = _guard(m, "status", MStatus.CLOSED)
        m.status = MStatus.CLOSED
        m.save(update_fields=["status"])
        _meeting_event(
            m,
            actor=person,
            verb="summary_distribute",
            from_state=m_old,
            to_state=m.status,
        )
        if disclosure is not None:
            _meeting_event(
                m,
                actor=person,
                verb="summary_publish",
                note=gettext("Posted on the disclosure board: %(title)s")
                % {"title": disclosure.title},
            )
        for org in bodies:
            notify_organization(
                org,
                subject=gettext("Meeting summary: %(title)s") % {"title": meeting.title},
                body=locked.body,
                link=meeting_link(meeting),
            )
    _sync(meeting, m)
    return _sync(summary, locked)


def summary_sign_receipt(*, actor, signature: SummarySignature) -> SummarySignature:
    """签收 of the distributed summary by a recipient body. Idempotent."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        signature.organization,
        gettext("Only a member of this body can sign for it."),
    )
    if signature.kind != SummarySignature.Kind.RECEIPT:
        raise ValidationError(_("This is not a receipt."), code="invalid")
    with transaction.atomic():
        locked = _lock(SummarySignature, signature.pk)
        if locked.signed_at is None:
            locked.signed_at = timezone.now()
            locked.signed_by = person
            locked.save(update_fields=["signed_at", "signed_by"])
            _meeting_event(
                locked.summary.meeting,
                actor=person,
                verb="summary_received",
                note=locked.organization.name,
            )
    return _sync(signature, locked)


# --- 工作小结 / 工作总结: due dates and reminders (联席会议议事规则 第六条) ------------------
# "联席会议每半年开展一次工作小结，每年开展一次工作总结…向社区党组织报告". The summaries
# themselves are made in ``dashboard.services`` (work_summary_request … _submit); here
# is when each is due, and the reminders. The seed sets the cadence, not a due date: the
# portal asks for each by the end of the month after its period (one place, below).

#: A summary is due at the end of this many months after its period ends.
WORK_SUMMARY_DUE_MONTHS_AFTER = 1
#: The office is reminded this many days before the due date.
WORK_SUMMARY_REMIND_DAYS = 14


def work_summary_due_periods(year: int) -> list[dict]:
    """The three summaries of a year (第六条): the first half-year brief, the second
    half-year brief and the annual summary, each with its period and due date.

    The annual summary, made at the same time as the second brief, counts for both
    (``covered_by``): one document reviews the second half-year and the whole year.
    """
    import datetime as _dt

    def due(end: _dt.date) -> _dt.date:
        month = end.month + WORK_SUMMARY_DUE_MONTHS_AFTER
        y, m = end.year + (month - 1) // 12, (month - 1) % 12 + 1
        nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
        return nxt - _dt.timedelta(days=1)

    h1_end, y_end = _dt.date(year, 6, 30), _dt.date(year, 12, 31)
    return [
        {
            "period": f"{year}H1",
            "kind": "half_year",
            "start": _dt.date(year, 1, 1),
            "end": h1_end,
            "due": due(h1_end),
            "covered_by": (f"{year}H1",),
        },
        {
            "period": f"{year}H2",
            "kind": "half_year",
            "start": _dt.date(year, 7, 1),
            "end": y_end,
            "due": due(y_end),
            "covered_by": (f"{year}H2", f"{year}"),
        },
        {
            "period": f"{year}",
            "kind": "year",
            "start": _dt.date(year, 1, 1),
            "end": y_end,
            "due": due(y_end),
            "covered_by": (f"{year}",),
        },
    ]


def work_summaries_scan(*, today=None) -> list[tuple[int, str, str]]:
    """Beat (daily): for each compound with a joint-meeting office, remind the office
    :data:`WORK_SUMMARY_REMIND_DAYS` before a summary is due and tell the office and the
    community party organization once it is overdue — each once (``WorkSummaryReminder``).
    A summary counts once it is submitted to the community party organization."""
    from ..models.summaries import WorkSummaryReminder
    from ..selectors import work_summaries_status

    today = today or timezone.localdate()
    compounds = list(
        Compound.objects.filter(organizations__kind=Kind.JOINT_MEETING_OFFICE).distinct()
    )
    status = work_summaries_status(compounds=compounds, today=today)
    done = set(
        WorkSummaryReminder.objects.filter(compound__in=compounds).values_list(
            "compound_id", "period", "stage"
        )
    )
    sent = []
    for compound in compounds:
        for row in status.get(compound.pk, []):
            if row["submitted"]:
                continue
            if row["overdue"]:
                stage = WorkSummaryReminder.Stage.OVERDUE
            elif row["due_soon"]:
                stage = WorkSummaryReminder.Stage.DUE_SOON
            else:
                continue
            key = (compound.pk, row["period"], stage)
            if key in done:
                continue
            with transaction.atomic():
                _, created = WorkSummaryReminder.objects.get_or_create(
                    compound=compound, period=row["period"], stage=stage
                )
                if not created:
                    continue
                _remind_work_summary(compound, row, stage)
            sent.append(key)
    return sent


def _remind_work_summary(compound: Compound, row: dict, stage: str) -> None:
    from django.urls import reverse

    from ..models.summaries import WorkSummaryReminder

    due = row["due"].strftime("%Y-%m-%d")
    label = row["label"]
    if stage == WorkSummaryReminder.Stage.OVERDUE:
        subject = gettext("Overdue: the %(label)s was due on %(due)s") % {
            "label": label,
            "due": due,
        }
        kinds = [*OFFICE_KINDS_FOR_SUMMARY, Kind.COMMUNITY_PARTY]
    else:
        subject = gettext("Due on %(due)s: the %(label)s") % {"label": label, "due": due}
        kinds = list(OFFICE_KINDS_FOR_SUMMARY)
    body = gettext(
        "The joint meeting makes a work brief every half-year and a work summary every year "
        "and reports it to the community party organization (联席会议议事规则 第六条)."
    )
    link = f"{reverse('dashboard:summaries')}?compound={compound.slug}"
    for org in _orgs_of_kinds(compound, kinds):
        notify_organization(org, subject=subject, body=body, link=link)


#: Who makes the summaries: the joint-meeting office and the compound party organization.
OFFICE_KINDS_FOR_SUMMARY = (Kind.JOINT_MEETING_OFFICE, Kind.COMPOUND_PARTY)
