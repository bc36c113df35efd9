from django.urls import URLPattern, URLResolver, path

from misto.iot import views

app_name = "iot"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.sensors, name="sensors"),
    path("devices/<str:uid>/", views.device_page, name="device"),
    path("devices/<str:uid>/stream", views.stream, name="stream"),
    path("staff/devices/", views.staff_devices, name="devices"),
    path("staff/silent/", views.silent, name="silent"),
    path("webhooks/chirpstack", views.chirpstack, name="chirpstack"),
    path("webhooks/ttn", views.ttn, name="ttn"),
]
