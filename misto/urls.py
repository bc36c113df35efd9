"""The site's URL tree, assembled from the module registry: no module is listed here.

There is one password form, Misto's sign-in (``settings.LOGIN_URL``: password + TOTP and the
throttle of :mod:`misto.residents.throttle`); Django's ``/accounts/login/`` and the admin's
login redirect to it with their query string, so ``next`` survives and is checked there.
"""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, reverse_lazy
from django.views.generic import RedirectView

from misto.api import build_api
from misto.core.registry import modules

to_signin = RedirectView.as_view(url=reverse_lazy(settings.LOGIN_URL), query_string=True)

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", to_signin, name="login"),
    path("admin/login/", to_signin),
    path("admin/", admin.site.urls),
    path("api/", build_api().urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
for config in modules():
    for prefix, urlconf in config.urls:
        urlpatterns.append(path(prefix, include(urlconf)))

if not settings.PRODUCTION:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
