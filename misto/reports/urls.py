from django.urls import path

from misto.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_map, name="map"),
    path("new/", views.submit, name="submit"),
    path("new/attributes/", views.attributes, name="attributes"),
    path("new/nearby/", views.nearby, name="nearby"),
    path("queue/", views.queue, name="queue"),
    path("phone/", views.intake, name="intake"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/act/", views.act, name="act"),
    path("<str:public_id>/follow/<uuid:token>/", views.follow_confirm, name="follow-confirm"),
]
