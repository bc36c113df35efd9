from django.urls import path

from misto.core import pwa
from misto.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:announcement_id>/", views.detail, name="detail"),
    path("emergency/<int:emergency_id>/", views.emergency, name="emergency"),
    path("<int:announcement_id>/approve/", views.approve, name="approve"),
    path("<int:announcement_id>/withdraw/", views.withdraw, name="withdraw"),
    path("feed.json", views.feed_json, name="feed_json"),
    path("feed.atom", views.feed_atom, name="feed_atom"),
    path("outages.geojson", views.outages_geojson, name="outages_geojson"),
    path("compose/", views.compose, name="compose"),
    path("inbox/", views.inbox, name="inbox"),
    path("settings/", views.settings_page, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # The old address of the push worker serves the site's one worker (push included).
    path("sw.js", pwa.service_worker, name="service_worker"),
]
