"""DRF API for issues (to be written)."""

app_name = "issues_api"

urlpatterns: list = []
