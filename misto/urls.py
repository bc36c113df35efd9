"""The site's URL tree, assembled from the module registry: no module is listed here."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from misto.api import build_api
from misto.core.registry import modules

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", build_api().urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
for config in modules():
    for prefix, urlconf in config.urls:
        urlpatterns.append(path(prefix, include(urlconf)))

if not settings.PRODUCTION:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
