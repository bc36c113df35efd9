from django.urls import path

from misto.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:name>/", views.detail, name="detail"),
    path("<slug:name>/describe/", views.describe, name="describe"),
    path("<slug:name>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:name>/<slug:table>.<str:extension>", views.download, name="download"),
]
