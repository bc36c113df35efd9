from django.urls import path

from misto.residents import views

app_name = "residents"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
]
