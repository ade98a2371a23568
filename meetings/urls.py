"""URLs of the meeting pages, mounted at ``/meetings/`` (namespace ``meetings``).

The compound comes from ``?compound=<slug>`` (default: the portal's compound).
"""

from django.urls import path

from . import views
from .views import delegations as delegation_views
from .views import legacy as legacy_views
from .views import street as street_views
from .views import visits as visit_views

app_name = "meetings"

urlpatterns = [
    # public, phone first
    path("", views.meeting_list, name="list"),
    path("calendar/", views.meeting_calendar, name="calendar"),
    path("feed.ics", views.meeting_ical, name="ical"),
    path("<int:pk>/public/", views.meeting_public, name="public"),
    path("items/public/", views.action_items_public, name="action_items_public"),
    # staff
    path("new/", views.meeting_create, name="create"),
    path("delegations/", delegation_views.delegation_list, name="delegations"),
    path(
        "delegations/<int:pk>/revoke/",
        delegation_views.delegation_revoke,
        name="delegation_revoke",
    ),
    path("legacy/<str:tracking_number>/", legacy_views.legacy_page, name="legacy"),
    path("legacy/<str:tracking_number>/report/", legacy_views.legacy_report, name="legacy_report"),
    path(
        "legacy/<str:tracking_number>/explain/",
        legacy_views.legacy_explain,
        name="legacy_explain",
    ),
    path(
        "legacy/<str:tracking_number>/<str:step>/<int:row_id>/",
        legacy_views.legacy_step,
        name="legacy_step",
    ),
    path("street/", street_views.referral_list, name="street_referrals"),
    path("street/<int:pk>/<str:step>/", street_views.referral_step, name="street_referral_step"),
    path("visits/", visit_views.visit_list, name="visits"),
    path("visits/<int:pk>/opinions/", visit_views.visit_opinion, name="visit_opinion"),
    path(
        "visits/<int:pk>/opinions/<int:opinion_pk>/dispose/",
        visit_views.visit_opinion_dispose,
        name="visit_opinion_dispose",
    ),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/held/", views.meeting_held, name="held"),
    path("<int:pk>/topics/propose/", views.topic_propose, name="topic_propose"),
    path("<int:pk>/topics/order/", views.topic_order, name="topic_order"),
    path("<int:pk>/topics/<int:topic_pk>/decide/", views.topic_decide, name="topic_decide"),
    path("<int:pk>/topics/<int:topic_pk>/move/", views.topic_move, name="topic_move"),
    path("<int:pk>/notice/", views.notice_page, name="notice"),
    path("<int:pk>/notice/send/", views.notice_send, name="notice_send"),
    path("<int:pk>/notice/sign/<int:receipt_pk>/", views.notice_sign, name="notice_sign"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/autosave/", views.minutes_autosave, name="minutes_autosave"),
    path("<int:pk>/minutes/<int:minutes_pk>/revise/", views.minutes_revise, name="minutes_revise"),
    path("<int:pk>/summary/draft/", views.summary_draft, name="summary_draft"),
    path("<int:pk>/summary/return/", views.summary_return, name="summary_return"),
    path("<int:pk>/summary/sign/<int:signature_pk>/", views.summary_sign, name="summary_sign"),
    path(
        "<int:pk>/summary/<str:step>/",
        views.summary_step,
        name="summary_step",
    ),
    path("<int:pk>/items/new/", views.action_item_create, name="action_item_create"),
    path("<int:pk>/opinions/", views.opinion_record, name="opinion_record"),
    path(
        "<int:pk>/opinions/<int:opinion_pk>/dispose/",
        views.opinion_dispose,
        name="opinion_dispose",
    ),
    path("<int:pk>/feedback/", views.feedback_publish, name="feedback_publish"),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/request/", views.document_request, name="document_request"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path("items/", views.action_item_list, name="action_items"),
    path("items/<int:pk>/", views.action_item_detail, name="action_item"),
    path("items/<int:pk>/<str:step>/", views.action_item_step, name="action_item_step"),
    path("reports/", views.decision_report_list, name="decision_reports"),
    path("reports/settings/", views.meetings_policy, name="meetings_policy"),
    path("reports/<int:pk>/", views.decision_report_detail, name="decision_report"),
    path(
        "reports/<int:pk>/answer/<int:recipient_pk>/",
        views.decision_report_answer,
        name="decision_report_answer",
    ),
    path(
        "reports/<int:pk>/intervention/<int:intervention_pk>/",
        views.intervention_respond,
        name="intervention_respond",
    ),
    path(
        "reports/<int:pk>/intervention/<int:intervention_pk>/resolve/",
        views.intervention_resolve,
        name="intervention_resolve",
    ),
    path("reports/<int:pk>/<str:step>/", views.decision_report_step, name="decision_report_step"),
    path("motions/", views.motion_list, name="motions"),
    path("motions/register/", views.unit_register, name="unit_register"),
    path("motions/<int:pk>/", views.motion_detail, name="motion"),
    path("motions/<int:pk>/<str:step>/", views.motion_step, name="motion_step"),
]
