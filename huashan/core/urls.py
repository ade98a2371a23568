from django.urls import path

from . import health, textsize, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("language/", views.language, name="language"),
    path("text-size/", textsize.text_size, name="text_size"),
]
