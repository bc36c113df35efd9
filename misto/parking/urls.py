from django.urls import path

from misto.parking import views

app_name = "parking"

urlpatterns = [
    path("", views.parking_map, name="map"),
    path("start/", views.start, name="start"),
    path("sessions/", views.my_sessions, name="sessions"),
    path("sessions/<uuid:session_id>/", views.session_page, name="session"),
    path("sessions/<uuid:session_id>/stop/", views.stop, name="stop"),
    path("sessions/<uuid:session_id>/pay/", views.pay, name="pay"),
    path("staff/stats/", views.staff_stats, name="staff-stats"),
]
