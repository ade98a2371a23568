"""URLs of the provisioning app."""

app_name = "provisioning"
urlpatterns: list = []
