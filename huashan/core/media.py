"""``/media/<path>``: uploaded files, served with the permission of the page that links them.

Only a few kinds of stored files are linked by their storage URL (``{{ f.url }}``); each
is looked up by its stored name and checked as the page that shows the link checks. The
checks live with the apps that own the files, registered in their ``AppConfig.ready`` with
:func:`register_media_access` (core imports no domain app: issue 15 item 7):

======================================  ===============================================
file                                    registered by (who may fetch it)
======================================  ===============================================
complaint photos ``issues/…``           ``issues/apps.py`` (reporter, whoever may open
                                        the issue, anyone for a public resolution photo)
activity photos ``pledges/activities/…``  ``pledges/apps.py`` (anyone: public evidence)
inspection fix photos ``pledges/findings/…``  ``pledges/apps.py`` (anyone: public evidence)
agreed-item evidence ``meetings/evidence/…``  ``meetings/apps.py`` (``meetings.view_meeting``)
evaluation work reports ``evaluations/<id>/reports/…``  ``evaluations/apps.py`` (as
                                        evaluations:evidence)
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


#: A file-access check: ``check(request, name, match)`` answers True (serve), False (refuse)
#: or None (no row owns this name: refuse). ``match`` is the pattern's match of ``name``.
MediaCheck = Callable[[HttpRequest, str, re.Match], "bool | None"]

#: (stored-name pattern, check), filled by the apps in their ``AppConfig.ready`` through
#: :func:`register_media_access`; core knows no app's files (issue 15 item 7).
KINDS: list[tuple[re.Pattern, MediaCheck]] = []


def register_media_access(pattern: str | re.Pattern, check: MediaCheck) -> None:
    """Serve stored files whose name fully matches ``pattern`` when ``check`` allows.

    An app calls this from its ``AppConfig.ready`` for each kind of file its pages link by
    storage URL. The pattern must start with the app's own upload folder (``issues/…``);
    registering the same pattern again replaces its check, so ``ready`` may run twice.
    """
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    for index, (existing, _check) in enumerate(KINDS):
        if existing.pattern == compiled.pattern:
            KINDS[index] = (compiled, check)
            return
    KINDS.append((compiled, check))


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
