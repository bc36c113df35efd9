from django.contrib.auth import views as auth_views
from django.urls import path

from misto.core import pwa, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/events/", views.dead_letters, name="dead-letters"),
    path("staff/events/replay", views.replay_dead_letters, name="replay"),
]
