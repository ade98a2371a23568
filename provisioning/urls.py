"""URLs of the provisioning app (mounted at /setup/)."""

from django.urls import path

from . import views

app_name = "provisioning"
urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:code>/change/", views.template_change, name="template_change"),
    path("<slug:compound_slug>/", views.checklist, name="checklist"),
    path("<slug:compound_slug>/checklist.json", views.checklist_json, name="checklist_json"),
    path("<slug:compound_slug>/provision/", views.provision, name="provision"),
    path(
        "<slug:compound_slug>/organization/<slug:kind>/",
        views.organization,
        name="organization",
    ),
    path("<slug:compound_slug>/member/<slug:kind>/", views.member, name="member"),
]
