from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.code_login, name="code_login"),
    path("wechat/", views.wechat_start, name="wechat_start"),
    path("wechat/callback/", views.wechat_callback, name="wechat_callback"),
    path("wechat/link/", views.wechat_link, name="wechat_link"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("residencies/", views.residency_queue, name="residency_queue"),
    path(
        "residencies/<int:residency_id>/verify/",
        views.residency_verify,
        name="residency_verify",
    ),
    path(
        "residencies/<int:residency_id>/reject/",
        views.residency_reject,
        name="residency_reject",
    ),
    path("people/password-reset/", views.staff_password_find, name="staff_password_find"),
    path(
        "people/<int:person_id>/password-reset/",
        views.staff_password_reset,
        name="staff_password_reset",
    ),
]
