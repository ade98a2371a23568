"""The meeting notice (通知): its page, sending it, and signing a receipt.

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from huashan.directory.selectors import compound_organizations

from .. import selectors, services
from ..models import (
    NoticeReceipt,
)
from ._common import _acting_org_ids, _acts_for, _get_meeting, _simple_action


@login_required
@require_GET
def notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview the notice (before sending) or read it with its receipts (after)."""
    meeting = _get_meeting(request, pk)
    page = selectors.meeting_page(meeting=meeting)
    org_ids = _acting_org_ids(request.user)
    for receipt in page.receipts:
        receipt.can_sign = receipt.signed_at is None and _acts_for(org_ids, receipt.organization_id)
    preview = ""
    if page.notice is None:
        from django.template.loader import render_to_string

        year = timezone.localdate().year  # numbered by the issuing year
        main = list(
            compound_organizations(compound=meeting.compound).filter(
                kind__in=services.MAIN_RECIPIENT_KINDS
            )
        )
        copies = list(
            compound_organizations(compound=meeting.compound).filter(
                kind__in=services.COPY_RECIPIENT_KINDS
            )
        )
        try:
            preview = render_to_string(
                "pdf/meetings/notice_body.txt",
                {
                    "meeting": meeting,
                    "doc_number": f"花山联〔{year}〕□号",
                    "agenda": page.agenda,
                    "follow_up": page.follow_up,
                    "members": page.members,
                    "main": main,
                    "copies": copies,
                },
            ).strip()
        except Exception:  # the template belongs to meetings-core; a preview is optional
            preview = ""
    return render(
        request,
        "meetings/notice.html",
        {
            "meeting": meeting,
            "page": page,
            "preview": preview,
            "can_send": request.user.has_perm("meetings.run_office", meeting)
            or request.user.has_perm("meetings.convene", meeting),
        },
    )


@login_required
@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    return _simple_action(
        request,
        reverse("meetings:notice", args=[meeting.pk]),
        services.meeting_send_notice,
        meeting=meeting,
    )


@login_required
@require_POST
def notice_sign(request: HttpRequest, pk: int, receipt_pk: int) -> HttpResponse:
    """签收 by a recipient body, in the browser."""
    meeting = _get_meeting(request, pk)
    receipt = (
        NoticeReceipt.objects.select_related("organization", "notice__meeting")
        .filter(pk=receipt_pk, notice__meeting=meeting)
        .first()
    )
    if receipt is None:
        raise Http404(gettext("No such receipt."))
    return _simple_action(
        request,
        reverse("meetings:notice", args=[meeting.pk]),
        services.notice_sign,
        receipt=receipt,
    )
