"""URLs of the privacy app."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns: list = [
    path("", views.notice, name="notice"),
    path("me/", views.me, name="me"),
    path("me/export/", views.export, name="export"),
    path("me/correct/", views.correct, name="correct"),
    path("me/consents/<slug:purpose>/withdraw/", views.withdraw, name="withdraw"),
    path("me/delete/", views.delete, name="delete"),
]
