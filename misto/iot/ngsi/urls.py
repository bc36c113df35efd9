from django.urls import URLPattern, URLResolver

app_name = "ngsi"
urlpatterns: list[URLPattern | URLResolver] = []
