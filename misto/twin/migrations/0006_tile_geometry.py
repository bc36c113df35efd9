"""PostGIS only: each feature's geometry in Web Mercator, kept by the database, for the tiles.

A z16 tile of a dense city holds thousands of features; projecting each one to EPSG:3857 on
every render (``ST_Transform`` per row) was work repeated for every tile and every change
token. ``tile_geom`` is a stored generated column, so every write path (the services, raw
SQL, COPY) keeps it without the application knowing, with a GiST index for the tile's
bounding-box filter (whole, not partial, so that ``misto twin cluster`` can order the table
by it), and a small one over the named areas (the districts) whose label points the tiles
add, so that finding them no longer walks every feature of the tile. SpatiaLite keeps its
R*Tree and projects in Python (see tiles.py).
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE twin_feature ADD COLUMN IF NOT EXISTS tile_geom geometry(Geometry, 3857) "
    "GENERATED ALWAYS AS (ST_Transform(geometry, 3857)) STORED",
    "CREATE INDEX IF NOT EXISTS twin_feature_tile_geom ON twin_feature USING GIST (tile_geom)",
    "CREATE INDEX IF NOT EXISTS twin_feature_label_geom ON twin_feature "
    "USING GIST (tile_geom) WHERE retired_at IS NULL AND name <> '' "
    "AND ST_Dimension(geometry) = 2",
]

BACKWARD = [
    "DROP INDEX IF EXISTS twin_feature_label_geom",
    "DROP INDEX IF EXISTS twin_feature_tile_geom",
    "ALTER TABLE twin_feature DROP COLUMN IF EXISTS tile_geom",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("twin", "0005_tile_version")]
    operations = [migrations.RunPython(forward, backward)]
