from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("iot", "0003_hot_updates"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="unknown_fields",
            field=models.JSONField(blank=True, default=dict,
                                   verbose_name="unmapped decoder fields"),
        ),
    ]
