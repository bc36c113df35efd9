from django.urls import path

from misto.wallet import views

app_name = "wallet"

urlpatterns = [
    path("", views.home, name="home"),
    path("fares/", views.fares, name="fares"),
    path("topup/", views.topup, name="topup"),
    path("demo-pay/<uuid:order_id>/", views.demo_pay, name="demo-pay"),
    path("passes/", views.passes, name="passes"),
    path("ticket/", views.ticket, name="ticket"),
    path("cards/", views.cards, name="cards"),
    path("staff/validators/", views.staff_validators, name="staff-validators"),
]
