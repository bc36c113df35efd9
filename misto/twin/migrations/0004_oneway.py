"""One-way streets: the reverse driving cost of a piece of street, and the ``oneway``
property (OpenStreetMap's values) on an existing city's streets layer."""

from django.db import migrations, models


def oneway_schema(apps, schema_editor):
    Layer = apps.get_model("twin", "Layer")
    for layer in Layer.objects.filter(code="streets", builtin=True):
        properties = layer.schema.setdefault("properties", {})
        properties.setdefault("oneway", {"enum": ["yes", "no", "-1"]})
        layer.save(update_fields=["schema"])


def rebuild_later(apps, schema_editor):
    # The old rows have no reverse cost; an empty graph table is rebuilt on the next route.
    apps.get_model("twin", "RouteGraph").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('twin', '0003_routing'),
    ]

    operations = [
        migrations.AddField(
            model_name='routeedge',
            name='reverse_drive_s',
            field=models.FloatField(null=True),
        ),
        migrations.RunPython(oneway_schema, migrations.RunPython.noop),
        migrations.RunPython(rebuild_later, migrations.RunPython.noop),
    ]
