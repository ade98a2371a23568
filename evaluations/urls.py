"""HTML pages of the evaluation (``evaluations:``), included at ``/evaluations/``."""

from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("redblack/", views.redblack, name="redblack"),
    path("redblack/referrals/new/", views.referral_create, name="referral_create"),
    path("redblack/referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("redblack/referrals/<int:pk>.pdf", views.referral_pdf, name="referral_pdf"),
    path(
        "redblack/referrals/<int:pk>/<slug:action>/",
        views.referral_action,
        name="referral_action",
    ),
    path("ballot/<str:token>/", views.ballot, name="ballot"),
    path("<int:pk>/manage/", views.campaign_manage, name="manage"),
    path("<int:pk>/manage/<slug:action>/", views.campaign_action, name="action"),
    path("<int:pk>/slips.pdf", views.slips_pdf, name="slips"),
    path("<int:pk>/paper/", views.paper_enter, name="paper"),
    path("<int:pk>/paper/<int:entry_id>/<slug:decision>/", views.paper_check, name="paper_check"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:pk>/targets/<int:target_id>/report/", views.target_report, name="report"),
    path("<int:pk>/targets/<int:target_id>/evidence/", views.target_evidence, name="evidence"),
    path(
        "<int:pk>/targets/<int:target_id>/evidence.pdf",
        views.target_evidence_pdf,
        name="evidence_pdf",
    ),
]
