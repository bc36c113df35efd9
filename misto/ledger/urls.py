from django.urls import path

from misto.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("verify", views.verify, name="verify"),
    path("entries/<int:index>", views.entry, name="entry"),
    path("export/entries.jsonl", views.export_entries, name="export-entries"),
    path("export/heads.json", views.export_heads, name="export-heads"),
    path("export/keys.json", views.export_keys, name="export-keys"),
    path("export/<str:name>", views.standalone_verifier, name="export-verifier"),
]
