from django.urls import path

from misto.core.tests.sample_module import views

app_name = "sample_module"
urlpatterns = [path("", views.index, name="index")]
