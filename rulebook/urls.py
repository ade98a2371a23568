"""URLs of the rulebook app."""

app_name = "rulebook"
urlpatterns: list = []
