"""Open311 GeoReport v2 endpoints (to be written)."""

app_name = "open311"

urlpatterns: list = []
