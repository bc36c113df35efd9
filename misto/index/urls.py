from django.urls import path

from misto.index import views

app_name = "index"

urlpatterns = [
    path("", views.home, name="home"),
    path("themes/<str:theme>/", views.theme, name="theme"),
    path("indicators/", views.catalogue, name="catalogue"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path("indicators/<str:code>/data.<str:fmt>", views.download, name="download"),
    path("indicators/<str:code>/values/<int:value_id>/", views.lineage, name="lineage"),
    path("coverage/", views.coverage, name="coverage"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>.<str:fmt>", views.report_file, name="report_file"),
    path("data/values.csv", views.all_values, name="all_values"),
    path("data/values.sdmx.csv", views.all_values_sdmx, name="all_values_sdmx"),
    path("staff/", views.staff, name="staff"),
    path("staff/value/", views.staff_value, name="staff_value"),
    path("staff/target/", views.staff_target, name="staff_target"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/report/", views.staff_report, name="staff_report"),
]
