"""DRF API (to be written)."""

app_name = "meetings_api"

urlpatterns: list = []
