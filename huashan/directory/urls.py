from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
    path("<slug:compound_slug>/roster/", views.roster_import, name="roster_import"),
]
