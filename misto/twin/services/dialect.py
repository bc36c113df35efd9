"""Which spatial database answers: PostGIS in production, SpatiaLite by default.

Every spatial query of the twin has one branch for each (their SQL differs: geography and
KNN ``<->`` against the ``SpatialIndex`` R*Tree), and layers, features, geo, numbering and
the tile server all ask the same question; none of those concepts owns it, so it has its
own file at the bottom of the services.
"""

from __future__ import annotations

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
