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
    path("card-topup/", views.card_topup, name="card-topup"),
    path("receipts/<int:transfer_id>/", views.receipt, name="receipt"),
    path("staff/desk/", views.staff_desk, name="staff-desk"),
    path("staff/corrections/", views.staff_corrections, name="staff-corrections"),
    path("staff/reconciliation/", views.staff_reconciliation, name="staff-reconciliation"),
    path("staff/reconciliation/<int:pk>/", views.staff_reconciliation_detail,
         name="staff-reconciliation-detail"),
]
