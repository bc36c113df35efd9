from django.urls import path

from misto.twin import views

app_name = "twin"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("shelters/", views.shelters_page, name="shelters"),
    path("shelters/<int:pk>/status/", views.shelter_status, name="shelter-status"),
    path("labels/<slug:code>.pdf", views.labels_pdf, name="labels"),
]
