from django.urls import path

from misto.transit import views

app_name = "transit"

urlpatterns = [
    path("", views.index, name="index"),
    path("stops/<str:code>/", views.stop, name="stop"),
    path("stops/<str:code>/qr.svg", views.stop_qr, name="stop-qr"),
    path("stops/<str:code>/favourite", views.favourite, name="favourite"),
    path("board/<str:code>", views.board, name="board"),
    path("accuracy/", views.accuracy, name="accuracy"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("osmand", views.osmand, name="osmand"),
]
