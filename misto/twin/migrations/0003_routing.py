"""Routing on the twin: the edge table, pgRouting on PostGIS (nothing on SpatiaLite), and the
shelters' status, keeper and accessibility properties."""

import django.contrib.gis.db.models.fields
import django.utils.timezone
from django.db import migrations, models


SHELTER_PROPERTIES = {
    "status": {"enum": ["open", "closed", "unknown"]},
    "keeper": {"type": "string", "maxLength": 300},
    "keeper_department": {"type": "string", "maxLength": 64},
    "accessibility": {"type": "string", "maxLength": 300},
}


def pgrouting(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")


def shelter_schema(apps, schema_editor):
    Layer = apps.get_model("twin", "Layer")
    for layer in Layer.objects.filter(code="shelters", builtin=True):
        properties = layer.schema.setdefault("properties", {})
        for key, spec in SHELTER_PROPERTIES.items():
            properties.setdefault(key, spec)
        layer.save(update_fields=["schema"])


class Migration(migrations.Migration):

    dependencies = [
        ('twin', '0002_knn_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='RouteEdge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.PositiveIntegerField()),
                ('target', models.PositiveIntegerField()),
                ('length_m', models.FloatField()),
                ('walk_s', models.FloatField()),
                ('drive_s', models.FloatField(null=True)),
                ('name', models.CharField(blank=True, max_length=300)),
                ('geometry', django.contrib.gis.db.models.fields.LineStringField(spatial_index=False, srid=4326)),
            ],
        ),
        migrations.CreateModel(
            name='RouteGraph',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signature', models.CharField(max_length=200)),
                ('built_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('nodes', models.PositiveIntegerField(default=0)),
                ('edges', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(pgrouting, migrations.RunPython.noop),
        migrations.RunPython(shelter_schema, migrations.RunPython.noop),
    ]
