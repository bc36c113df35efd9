from django.urls import URLPattern, URLResolver, include, path

from misto.iot import views
from misto.iot.api.machine import webhooks

app_name = "iot"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.sensors, name="sensors"),
    path("devices/<str:uid>/", views.device_page, name="device"),
    path("devices/<str:uid>/stream", views.stream, name="stream"),
    path("staff/devices/", views.staff_devices, name="devices"),
    path("staff/silent/", views.silent, name="silent"),
    path("webhooks/", include((webhooks.urls[0], "webhooks"))),
]
