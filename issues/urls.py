"""HTML pages of residents' complaints (``issues:``), included at ``/issues/``."""

from django.urls import path, register_converter

from . import views
from .feeds import IssueBoardFeed


class TrackingNumberConverter:
    """``HS-2026-000123``; anything else never reaches a view (404)."""

    regex = r"[A-Za-z]{2}-\d{4}-\d{1,10}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(TrackingNumberConverter, "tracking")

app_name = "issues"

urlpatterns = [
    path("new/", views.issue_file, name="file"),
    path("new/check/", views.issue_file_confirm, name="file_confirm"),
    path("new/done/", views.issue_file_done, name="file_done"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("board/feed/", IssueBoardFeed(), name="feed"),
    path("queue/", views.queue, name="queue"),
    path("<tracking:tracking_number>/", views.detail, name="detail"),
    path("<tracking:tracking_number>/me-too/", views.issue_me_too, name="me_too"),
    path("<tracking:tracking_number>/rate/", views.rate, name="rate"),
    path("<tracking:tracking_number>/confirm/", views.reporter_confirm, name="confirm"),
    path("<tracking:tracking_number>/reopen/", views.reporter_reopen, name="reopen"),
    path("<tracking:tracking_number>/reply/", views.reporter_reply, name="reply"),
    path("<tracking:tracking_number>/manage/", views.staff_detail, name="staff_detail"),
    path(
        "<tracking:tracking_number>/manage/<slug:action>/",
        views.staff_action,
        name="staff_action",
    ),
    path(
        "<tracking:tracking_number>/manage/referral/<int:referral_id>/acknowledge/",
        views.referral_acknowledge,
        name="referral_ack",
    ),
    path(
        "<tracking:tracking_number>/manage/summons/<int:summons_id>/<slug:action>/",
        views.summons_action,
        name="summons_action",
    ),
]
