from django.urls import path

from misto.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("services/", views.eservices, name="services"),
    path("partners/", views.partners, name="partners"),
    path("staff/corrections/", views.corrections, name="corrections"),
    path("staff/corrections/<int:correction_id>/", views.resolve, name="resolve"),
    path("staff/places/", views.staff_places, name="staff-places"),
    path("staff/partners/", views.staff_partners, name="staff-partners"),
    path("staff/places/<slug:slug>/", views.edit, name="edit"),
    path("photos/<int:photo_id>", views.photo, name="photo"),
    path("<slug:slug>/", views.place, name="place"),
    path("<slug:slug>/report/", views.report, name="report"),
]
