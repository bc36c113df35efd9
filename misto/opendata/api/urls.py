from django.urls import path

from misto.opendata.api import catalog, ckan

app_name = "opendata-api"

urlpatterns = [
    # CKAN answers on both; ckanapi uses /api/action/ by default.
    path("api/3/action/<str:action>", ckan.action, name="ckan-action"),
    path("api/action/<str:action>", ckan.action, name="ckan-action-short"),
    path("catalog.<str:extension>", catalog.catalogue, name="catalog"),
]
