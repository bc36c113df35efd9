from django.urls import path

from misto.situation import views

app_name = "situation"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("leadership/", views.leadership, name="leadership"),
    path("stream/", views.stream, name="stream"),
    path("incidents/<int:incident_id>/", views.incident, name="incident"),
    path("incidents/<int:incident_id>/assign/", views.assign, name="assign"),
    path("incidents/<int:incident_id>/status/", views.update_status, name="status"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:incident_id>/", views.task, name="task"),
    path("photos/<int:update_id>", views.photo, name="photo"),
    path("emergencies/", views.emergencies, name="emergencies"),
    path("emergencies/<int:emergency_id>/", views.emergency, name="emergency"),
]
