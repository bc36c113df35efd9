from django.urls import URLPattern, URLResolver, path

from misto.iot.ngsi import views

app_name = "ngsi"
urlpatterns: list[URLPattern | URLResolver] = [
    path("entities", views.entities, name="entities"),
    path("entities/<path:entity_id>", views.entity, name="entity"),
    path("temporal/entities/<path:entity_id>", views.temporal_entity, name="temporal"),
]
