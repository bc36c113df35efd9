from django.contrib.auth import views as auth_views
from django.urls import path

from misto.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/events/", views.dead_letters, name="dead-letters"),
    path("staff/events/replay", views.replay_dead_letters, name="replay"),
]
