"""Dashboard pages, mounted at ``/dashboard/`` (namespace ``dashboard``).

``dashboard:compound`` without arguments is the person's own compound; with
``compound_slug`` any compound the person may see. Each table has an ``.xlsx`` twin.
"""

from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.compound, name="compound"),
    path("c/<slug:compound_slug>/", views.compound, name="compound"),
    path(
        "c/<slug:compound_slug>/export/<slug:table>.xlsx",
        views.compound_export,
        name="compound_export",
    ),
    path("community/<slug:slug>/", views.community, name="community"),
    path(
        "community/<slug:slug>/export/<slug:table>.xlsx",
        views.community_export,
        name="community_export",
    ),
    path("street/<slug:slug>/", views.street, name="street"),
    path(
        "street/<slug:slug>/export/<slug:table>.xlsx",
        views.street_export,
        name="street_export",
    ),
    path("summaries/", views.summary_list, name="summaries"),
    path("summaries/export.xlsx", views.summary_list_export, name="summaries_export"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("summaries/<int:pk>/status/", views.summary_status, name="summary_status"),
    path("summaries/<int:pk>/export.xlsx", views.summary_export, name="summary_export"),
    path("summaries/<int:pk>/pdf/", views.summary_pdf, name="summary_pdf"),
    path("summaries/<int:pk>/<slug:step>/", views.summary_step, name="summary_step"),
]
