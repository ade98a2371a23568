"""The portal's URLs plus ``/bench/baseline/`` (bench only)."""

from django.urls import include, path

from bench.baseline import baseline

urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    path("", include("huashan.urls")),
]
