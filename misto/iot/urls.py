from django.urls import URLPattern, URLResolver

app_name = "iot"
urlpatterns: list[URLPattern | URLResolver] = []
