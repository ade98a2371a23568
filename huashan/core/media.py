"""``/media/<path>``: uploaded files, served with the permission of the page that links them.

Only four kinds of stored files are linked by their storage URL (``{{ f.url }}``); each
is looked up by its stored name and checked as the page that shows the link checks:

======================================  ===============================================
file                                    who may fetch it (as the linking page)
======================================  ===============================================
complaint photos ``issues/…``           the reporter (logged in, or holding the code),
                                        whoever may open the issue in full
                                        (``issues.selectors.issue_visible_to``), and
                                        anyone for a resolution photo of a public issue
                                        (issues:detail's public view)
activity photos ``pledges/activities/…``  anyone (pledges:activity is public evidence;
                                        seed: 公示承诺制度)
inspection fix photos ``pledges/findings/…``  anyone (pledges:inspection is public
                                        evidence: 小区党组织服务承诺 第7条 限期整改)
agreed-item evidence ``meetings/evidence/…``  ``meetings.view_meeting`` on the item
                                        (meetings:action_item)
evaluation work reports ``evaluations/<id>/reports/…``  as evaluations:evidence
                                        (results public, or staff of the campaign)
======================================  ===============================================

Every other stored file (disclosure attachments and reports, meeting PDFs, summary
and pledge-letter PDFs) has its own download view with its own
check; its ``/media/`` path is a 404, so a private file is never public by its name.
A refusal is always 404: a stranger learns nothing about which names exist.

With ``HUASHAN_MEDIA_ACCEL_PREFIX`` set (for example ``/_protected/media/``) the view
only checks and answers with ``X-Accel-Redirect``; nginx then streams the file from an
``internal`` location (docs/operations.md). Otherwise it streams with ``FileResponse``.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

#: Types a browser may show inline; anything else is downloaded, never rendered on our origin.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})


def _issue_photo(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    from issues import selectors
    from issues.models import Issue, IssuePhoto

    photo = (
        IssuePhoto.objects.select_related("issue")
        .filter(token=match["token"], issue_id=match["issue"])
        .first()
    )
    if photo is None or photo.image.name != name:
        return None
    issue = photo.issue
    if (
        issue.is_public
        and issue.status != Issue.Status.MERGED
        and photo.stage == IssuePhoto.Stage.RESOLUTION
    ):
        return True
    if selectors.issue_visible_to(person=request.user).filter(pk=issue.pk).exists():
        return True
    from issues.views import reporter_access

    return reporter_access(request, issue.tracking_number) is not None


def _activity_photo(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    from pledges.models import ActivityPhoto

    photo = ActivityPhoto.objects.filter(
        token=match["token"], activity_id=match["activity"]
    ).first()
    if photo is None or photo.image.name != name:
        return None
    return True


def _finding_photo(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    from pledges.models import Finding

    return True if Finding.objects.filter(fix_photo=name).exists() else None


def _action_item_evidence(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    from meetings.models import ActionItemUpdate

    update = (
        ActionItemUpdate.objects.select_related("item__compound")
        .filter(item_id=match["item"], evidence_file=name)
        .first()
    )
    if update is None:
        return None
    return request.user.has_perm("meetings.view_meeting", update.item)


def _evaluation_report(request: HttpRequest, name: str, match: re.Match) -> bool | None:
    from evaluations import services
    from evaluations.models import Target

    target = (
        Target.objects.select_related("campaign__compound")
        .filter(campaign_id=match["campaign"], report_pdf=name)
        .first()
    )
    if target is None:
        return None
    campaign = target.campaign
    return campaign.results_public or services.may_view_staff(request.user, campaign)


#: (stored-name pattern, check): the check returns None when no row owns the name.
KINDS: list[tuple[re.Pattern, Callable[[HttpRequest, str, re.Match], bool | None]]] = [
    (
        re.compile(r"issues/\d{4}/\d{2}/(?P<issue>\d+)/(?P<token>[0-9A-Za-z_-]{1,32})\.jpg"),
        _issue_photo,
    ),
    (
        re.compile(r"pledges/activities/(?P<activity>\d+)/(?P<token>[0-9A-Za-z_-]{1,32})\.jpg"),
        _activity_photo,
    ),
    (re.compile(r"pledges/findings/[0-9a-f]{32}\.jpg"), _finding_photo),
    (re.compile(r"meetings/evidence/(?P<item>\d+)/[^/]+"), _action_item_evidence),
    (re.compile(r"evaluations/(?P<campaign>\d+)/reports/[0-9a-f]+\.pdf"), _evaluation_report),
]


def media_allowed(request: HttpRequest, name: str) -> bool:
    """Whether the request may fetch the stored file ``name`` (a storage name)."""
    if not name or name != posixpath.normpath(name) or name.startswith(("/", "..")):
        return False
    if "\\" in name or "\x00" in name:
        return False
    for pattern, check in KINDS:
        match = pattern.fullmatch(name)
        if match is not None:
            return bool(check(request, name, match))
    return False


@require_GET
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """One stored file, if ``media_allowed``; 404 otherwise (also for a file gone from disk)."""
    if not media_allowed(request, path):
        raise Http404(gettext("No such file."))
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    prefix = getattr(settings, "HUASHAN_MEDIA_ACCEL_PREFIX", "")
    if prefix:
        if not default_storage.exists(path):
            raise Http404(gettext("No such file."))
        response = HttpResponse(content_type=content_type if inline else "application/octet-stream")
        response["X-Accel-Redirect"] = quote(prefix.rstrip("/") + "/" + path)
        if not inline:
            response["Content-Disposition"] = content_disposition_header(
                True, posixpath.basename(path)
            )
    else:
        try:
            handle = default_storage.open(path, "rb")
        except OSError:
            raise Http404(gettext("No such file.")) from None
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=posixpath.basename(path),
            content_type=content_type if inline else "application/octet-stream",
        )
    # Permission-checked: no shared cache may keep a copy for the next visitor.
    response["Cache-Control"] = "private, max-age=3600"
    return response
