"""Root URL configuration. Each app owns its own urls.py, included here."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from huashan.core.media import media_serve

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a separate file (``?script``): the
    # CSP allows no inline script, and the one-page view's docs stayed blank (issue 14).
    # templates/api_docs.html: the same page without its inline <style>.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("accounts/", include("huashan.accounts.urls")),
    path("notifications/", include("huashan.notify.urls")),
    path("directory/", include("huashan.directory.urls")),
    path("issues/", include("issues.urls")),
    path("open311/v2/", include("issues.open311")),
    path("api/issues/", include("issues.api")),
    path("meetings/", include("meetings.urls")),
    path("api/meetings/", include("meetings.api")),
    path("disclosures/", include("disclosures.urls")),
    path("api/disclosures/", include("disclosures.api")),
    path("pledges/", include("pledges.urls")),
    path("api/pledges/", include("pledges.api")),
    path("evaluations/", include("evaluations.urls")),
    path("api/evaluations/", include("evaluations.api")),
    path("dashboard/", include("dashboard.urls")),
    path("setup/", include("provisioning.urls")),
    path("rules/", include("rulebook.urls")),
    path("privacy/", include("privacy.urls")),
    path("briefings/", include("briefings.urls")),
    path("", include("huashan.core.urls")),
]

# Uploaded files, in production as in development: each checked like the page that
# links it (huashan/core/media.py), never a public directory listing of MEDIA_ROOT.
urlpatterns.append(
    path(settings.MEDIA_URL.strip("/") + "/<path:path>", media_serve, name="media"),
)
