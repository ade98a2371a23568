"""DRF API (to be written)."""

app_name = "disclosures_api"

urlpatterns: list = []
