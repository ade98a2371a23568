"""The meeting notice (会议通知): its document number, sending it to the bodies and the
members, and each body signing for it.

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Organization

from ..models import (
    Meeting,
    Notice,
    NoticeReceipt,
    NoticeSequence,
)
from ._common import (
    COPY_RECIPIENT_KINDS,
    MAIN_RECIPIENT_KINDS,
    MeetingStateError,
    MKind,
    MStatus,
    _guard,
    _localdate,
    _lock,
    _meeting_event,
    _meeting_permission,
    _notify_person,
    _orgs_of_kinds,
    _require_any,
    _sync,
    meeting_link,
    notify_organization,
)
from .chairing import NO_CHAIR_MESSAGE


def notice_number_allocate(*, compound: Compound, year: int) -> int:
    """Next number of 花山联〔YYYY〕N号 for the compound, under a row lock."""
    with transaction.atomic():
        NoticeSequence.objects.get_or_create(compound=compound, year=year)
        seq = NoticeSequence.objects.select_for_update().get(compound=compound, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def notice_document_number(*, year: int, number: int) -> str:
    return f"花山联〔{year}〕{number}号"


def _notice_recipients(
    meeting: Meeting, copy_to: Sequence[Organization]
) -> tuple[list[Organization], list[Organization]]:
    """主送 and 抄送 of the notice (第四条): the four bodies, then the copies, each once."""
    main = _orgs_of_kinds(meeting.compound, MAIN_RECIPIENT_KINDS)
    copies = [o for o in _orgs_of_kinds(meeting.compound, COPY_RECIPIENT_KINDS) if o not in main]
    copies += [o for o in copy_to if o not in main and o not in copies]
    return main, copies


def _notice_body(meeting: Meeting, *, doc_number: str, main, copies) -> str:
    """The notice's text: agenda, follow-up items, members and the two recipient lines."""
    from ..selectors import meeting_agenda, meeting_follow_up_items, meeting_members

    return render_to_string(
        "pdf/meetings/notice_body.txt",
        {
            "meeting": meeting,
            "doc_number": doc_number,
            "agenda": list(meeting_agenda(meeting=meeting)),
            "follow_up": list(meeting_follow_up_items(meeting=meeting)),
            "members": list(meeting_members(meeting=meeting)),
            "main": main,
            "copies": copies,
        },
    ).strip()


def meeting_send_notice(*, actor, meeting: Meeting, copy_to: Sequence[Organization] = ()) -> Notice:
    """Issue the 会议通知 with a document number and send it (seed: 联席会议议事规则 第四条).

    主送: the community party org, the RC, the PMC and the property company;
    抄送: the compound party org, the RC property committee and ``copy_to``.
    Every member and observer gets it in their inbox; each body signs for it.
    """
    person = _require_any(
        actor,
        _meeting_permission(meeting.kind),
        meeting,
        gettext("You may not send the notice."),
    )
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        old = _guard(locked, "status", MStatus.NOTICE_SENT)
        if locked.start <= timezone.now():
            raise MeetingStateError(
                _("The meeting has already started; a notice can no longer be sent."),
                code="started",
            )
        if locked.kind == MKind.JOINT and locked.chair_id is None:
            raise MeetingStateError(NO_CHAIR_MESSAGE, code="no_chair")
        # Numbered by the year the notice is issued, as every official document is
        # (a notice sent in December for a January meeting is still 〔this year〕).
        issued_at = timezone.now()
        year = _localdate(issued_at).year
        number = notice_number_allocate(compound=locked.compound, year=year)
        doc_number = notice_document_number(year=year, number=number)
        main, copies = _notice_recipients(locked, copy_to)
        body = _notice_body(locked, doc_number=doc_number, main=main, copies=copies)
        notice = Notice.objects.create(
            meeting=locked,
            year=year,
            number=number,
            document_number=doc_number,
            body=body,
            issued_by=person,
            issued_at=issued_at,
        )
        NoticeReceipt.objects.bulk_create(
            [
                NoticeReceipt(notice=notice, organization=o, line=NoticeReceipt.Line.MAIN)
                for o in main
            ]
            + [
                NoticeReceipt(notice=notice, organization=o, line=NoticeReceipt.Line.COPY)
                for o in copies
            ]
        )
        locked.status = MStatus.NOTICE_SENT
        locked.save(update_fields=["status"])
        _meeting_event(
            locked,
            actor=person,
            verb="send_notice",
            from_state=old,
            to_state=locked.status,
            note=doc_number,
        )
        subject = gettext("Meeting notice %(number)s: %(title)s") % {
            "number": doc_number,
            "title": locked.title,
        }
        link = meeting_link(locked)
        for org in main + copies:
            notify_organization(org, subject=subject, body=body, link=link)
        for member in locked.members.select_related("person"):
            _notify_person(member.person, subject=subject, body=body, link=link)
    _sync(meeting, locked)
    return notice


def notice_sign(*, actor, receipt: NoticeReceipt) -> NoticeReceipt:
    """签收: a recipient body confirms it received the notice (第四条). Idempotent."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        receipt.organization,
        gettext("Only a member of this body can sign for it."),
    )
    with transaction.atomic():
        locked = _lock(NoticeReceipt, receipt.pk)
        if locked.signed_at is None:
            locked.signed_at = timezone.now()
            locked.signed_by = person
            locked.save(update_fields=["signed_at", "signed_by"])
            _meeting_event(
                locked.notice.meeting,
                actor=person,
                verb="notice_signed",
                note=locked.organization.name,
            )
    return _sync(receipt, locked)
