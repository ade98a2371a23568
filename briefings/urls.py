from django.urls import path

from . import views

app_name = "briefings"

urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("public/", views.briefing_public, name="public"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("to/<int:pk>/acknowledge/", views.recipient_acknowledge, name="acknowledge"),
    path("to/<int:pk>/respond/", views.recipient_respond, name="respond"),
]
