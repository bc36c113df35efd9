from django.urls import URLPattern, URLResolver

from misto.iot.ngsi.api import api

app_name = "ngsi"
urlpatterns: list[URLPattern | URLResolver] = api.urls[0]
