from django.urls import path

from misto.appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.index, name="index"),
    path("write/<slug:code>/", views.write, name="write"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("register/", views.register, name="register"),
    path("stats/", views.stats, name="stats"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
]
