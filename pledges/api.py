"""DRF API (to be written)."""

app_name = "pledges_api"

urlpatterns: list = []
