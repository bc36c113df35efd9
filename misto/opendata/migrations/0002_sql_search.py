"""Search in SQL: each dataset"s CKAN id, case-folded words and facet values stored (filled
here for the datasets already listed), and when its module"s events made it stale."""

import uuid
from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    Dataset = apps.get_model("opendata", "Dataset")
    Facet = apps.get_model("opendata", "Facet")
    for dataset in Dataset.objects.all():
        dataset.ckan_id = uuid.uuid5(uuid.NAMESPACE_URL, f"misto:opendata:{dataset.name}")
        dataset.search_text = " ".join([
            dataset.name, dataset.title, dataset.title_en, dataset.description,
            dataset.description_en, *dataset.keywords]).casefold()
        dataset.save(update_fields=["ckan_id", "search_text"])
        values = {("tags", word) for word in dataset.keywords} | {
            ("organization", dataset.publisher), ("groups", dataset.theme.lower()),
            ("license_id", dataset.licence)} | {
            ("res_format", fmt) for fmt in dataset.resources.values_list("format", flat=True)}
        Facet.objects.bulk_create([Facet(dataset=dataset, key=key, value=value[:200])
                                   for key, value in sorted(values)])


class Migration(migrations.Migration):

    dependencies = [
        ("opendata", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataset",
            name="ckan_id",
            field=models.UUIDField(editable=False, null=True, unique=True, verbose_name="CKAN id"),
        ),
        migrations.AddField(
            model_name="dataset",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.AddField(
            model_name="dataset",
            name="stale_since",
            field=models.DateTimeField(blank=True, null=True, verbose_name="stale since"),
        ),
        migrations.CreateModel(
            name="Facet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=16)),
                ("value", models.CharField(max_length=200)),
                ("dataset", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="facets", to="opendata.dataset")),
            ],
            options={
                "indexes": [models.Index(fields=["key", "value"], name="opendata_fa_key_c37ed3_idx")],
                "constraints": [models.UniqueConstraint(fields=("dataset", "key", "value"), name="opendata_facet_once")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
