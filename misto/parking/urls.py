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
    path("book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="bookings"),
    path("bookings/<uuid:booking_id>/cancel/", views.cancel_booking, name="cancel-booking"),
    path("permits/", views.permits, name="permits"),
    path("inspect/", views.inspect, name="inspect"),
    path("staff/stats/", views.staff_stats, name="staff-stats"),
    path("staff/inspectors/", views.staff_inspectors, name="staff-inspectors"),
    path("staff/inspectors/<int:assignment_id>/remove/", views.staff_inspector_remove,
         name="staff-inspector-remove"),
]
