"""Root URL configuration. Each app owns its own urls.py, included here."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
    path("dashboard/", include("huashan.dashboard.urls")),
    path("", include("huashan.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
