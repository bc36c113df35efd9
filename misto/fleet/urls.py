from django.urls import path

from misto.fleet import views

app_name = "fleet"

urlpatterns = [
    path("", views.dispatch, name="dispatch"),
    path("vehicles/<int:vehicle_id>/", views.vehicle, name="vehicle"),
    path("waybills/<int:waybill_id>/", views.waybill, name="waybill"),
    path("waybills/<int:waybill_id>/approve", views.approve, name="waybill-approve"),
    path("waybills/<int:waybill_id>.pdf", views.waybill_pdf, name="waybill-pdf"),
    path("osmand", views.osmand, name="osmand"),
]
