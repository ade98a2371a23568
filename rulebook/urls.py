"""URLs of the rulebook (小区制度)."""

from django.urls import path

from . import views

app_name = "rulebook"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:compound_slug>/", views.compound_rules, name="compound"),
]
