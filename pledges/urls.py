"""Pledge pages: the public board (``pledges:board`` at ``/pledges/``) and staff pages."""

from django.urls import path

from . import views

app_name = "pledges"

urlpatterns = [
    path("", views.board, name="board"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("evidence/", views.evidence, name="evidence"),
    path("evidence/activities/<int:pk>/", views.activity_detail, name="activity"),
    path("evidence/inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("candidates/", views.candidates, name="candidates"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/letters/new/", views.letter_new, name="letter_new"),
    path("staff/letters/<int:pk>/", views.letter_manage, name="letter_manage"),
    path("staff/letters/<int:pk>/publish/", views.letter_publish, name="letter_publish"),
    path("staff/items/<int:pk>/", views.item_edit, name="item_edit"),
    path("staff/items/<int:pk>/attest/", views.item_attest, name="item_attest"),
    path("staff/activities/", views.activity_list, name="activity_list"),
    path("staff/activities/new/", views.activity_new, name="activity_new"),
    path("staff/care-services/new/", views.care_service_new, name="care_service_new"),
    path("staff/inspections/", views.inspection_list, name="inspection_list"),
    path("staff/inspections/new/", views.inspection_new, name="inspection_new"),
    path("staff/inspections/<int:pk>/", views.inspection_manage, name="inspection_manage"),
    path("staff/elections/", views.election_list, name="election_list"),
    path("staff/elections/<int:pk>/", views.election_detail, name="election"),
    path("staff/cases/", views.case_list, name="case_list"),
    path("staff/cases/<int:pk>/", views.case_detail, name="case"),
]
