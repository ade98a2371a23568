"""HTML pages of the disclosure board (公示栏) and the publishers' work.

Views are thin: they read through ``disclosures.selectors``, change state only
through ``disclosures.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (everything typed comes back),
``PermissionDenied`` → 403, an unknown or non-public disclosure → 404.

seed: 公示承诺制度 第一—四条 (what is public, by whom, on which channels, for how
long; owners' objections must be answered); 物业管理委员会服务承诺 2 (ledgers);
the "阳光码" of 第二条.

A package split along what each part serves (issue 15 item 2): ``common`` (helpers),
``public_board`` (the board, a disclosure, objections, attachments), ``sunshine_code``
(阳光码), ``staff_drafts`` (drafts, publishing, corrections), ``staff_compliance``
(compliance and reports) and ``resolutions`` (决议执行情况, 物管会服务承诺 1). Every
view is re-exported here, so ``disclosures/urls.py`` and
``from disclosures import views`` keep working.
"""

from .common import BOARD_PAGE_SIZE, LEDGER_PAGE_SIZE, STAFF_PAGE_SIZE
from .public_board import (
    BOARD_CACHED_PAGES,
    BOARD_FILTER_FIELDS,
    attachment_download,
    board,
    detail,
    objection_answer,
    objection_file,
)
from .resolutions import resolution_report
from .staff_compliance import compliance, report_download, report_status, reports
from .staff_drafts import (
    archive,
    attachment_add,
    attachment_remove,
    correct,
    create,
    delete_draft,
    edit,
    ledger_import,
    publish,
    staff_home,
)
from .sunshine_code import disclosure_qr, sunshine, sunshine_png, sunshine_poster, sunshine_svg

__all__ = [
    "BOARD_CACHED_PAGES",
    "BOARD_FILTER_FIELDS",
    "BOARD_PAGE_SIZE",
    "LEDGER_PAGE_SIZE",
    "STAFF_PAGE_SIZE",
    "archive",
    "attachment_add",
    "attachment_download",
    "attachment_remove",
    "board",
    "compliance",
    "correct",
    "create",
    "delete_draft",
    "detail",
    "disclosure_qr",
    "edit",
    "ledger_import",
    "objection_answer",
    "objection_file",
    "publish",
    "report_download",
    "report_status",
    "reports",
    "resolution_report",
    "staff_home",
    "sunshine",
    "sunshine_png",
    "sunshine_poster",
    "sunshine_svg",
]
