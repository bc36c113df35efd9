"""PostGIS only: geography GiST indexes so that "nearest N" is an index-ordered KNN scan.

Distances in metres need the geography type; ordering by ``geography(geometry) <-> point``
walks these partial indexes nearest-first. SpatiaLite keeps its R*Tree (see services.nearest).
"""

from django.db import migrations

INDEXES = [
    (
        "twin_feature_landmark_geog",
        "CREATE INDEX IF NOT EXISTS twin_feature_landmark_geog ON twin_feature "
        "USING GIST (geography(geometry)) WHERE number IS NOT NULL AND retired_at IS NULL",
    ),
    (
        "twin_feature_current_geog",
        "CREATE INDEX IF NOT EXISTS twin_feature_current_geog ON twin_feature "
        "USING GIST (geography(geometry)) WHERE retired_at IS NULL",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("twin", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
