"""URLs of the privacy app."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns: list = [
    path("", views.notice, name="notice"),
]
