"""URLs of the disclosure board (``/disclosures/``, namespace ``disclosures``).

``disclosures:board`` without arguments is the default compound's board
(``?compound=<slug>`` picks another); with ``compound_slug`` it is the short,
stable address printed in the compound's sunshine code (阳光码).
"""

from django.urls import path

from . import views
from .feeds import DisclosureBoardFeed

app_name = "disclosures"

urlpatterns = [
    path("", views.board, name="board"),
    path("c/<slug:compound_slug>/", views.board, name="board"),
    path("feed/", DisclosureBoardFeed(), name="feed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/object/", views.objection_file, name="object"),
    path("<int:pk>/qr.png", views.disclosure_qr, {"fmt": "png"}, name="disclosure_qr_png"),
    path("<int:pk>/qr.svg", views.disclosure_qr, {"fmt": "svg"}, name="disclosure_qr_svg"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("c/<slug:compound_slug>/resolutions/", views.resolution_report, name="resolutions"),
    path(
        "c/<slug:compound_slug>/resolutions/<str:period>/",
        views.resolution_report,
        name="resolutions_period",
    ),
    path("sunshine/", views.sunshine, name="sunshine"),
    path("sunshine/code.png", views.sunshine_png, name="sunshine_png"),
    path("sunshine/code.svg", views.sunshine_svg, name="sunshine_svg"),
    path("sunshine/poster.pdf", views.sunshine_poster, name="sunshine_poster"),
    # staff
    path("staff/", views.staff_home, name="staff"),
    path("new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/ledger/", views.ledger_import, name="ledger_import"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/delete/", views.delete_draft, name="delete"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="answer"),
    path("compliance/", views.compliance, name="compliance"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
