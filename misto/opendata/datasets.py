"""The twin's layers as open datasets (GeoJSON and CSV), through the twin's public
functions: the twin is always on and knows nothing of open data, so the portal declares
them. Only public layers, and only their public properties (a landmark's note stays)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from misto import twin
from misto.core.registry import Column, OpenDataset, OpenTable

WORLD = (-180.0, -90.0, 180.0, 90.0)


def _features(layer: str) -> Iterator[Any]:
    for feature in twin.features_in_bbox(WORLD, layers=[layer]).order_by("pk"):
        if feature.layer.visibility == "public":
            yield feature


def _rows(layer: str, *keys: str) -> Iterator[dict[str, Any]]:
    for feature in _features(layer):
        row = {key: feature.properties.get(key) for key in keys}
        yield {"id": feature.pk, **row, "geometry": json.loads(feature.geometry.geojson)}


def districts() -> Iterator[dict[str, Any]]:
    return _rows("districts", "name", "name_en", "katottg", "prefix")


def streets() -> Iterator[dict[str, Any]]:
    return _rows("streets", "name", "name_en", "type")


def landmarks() -> Iterator[dict[str, Any]]:
    for feature in _features("landmarks"):
        yield {"number": feature.number, "kind": feature.properties.get("kind"),
               "geometry": json.loads(feature.geometry.geojson)}


def shelters() -> Iterator[dict[str, Any]]:
    return _rows("shelters", "name", "name_en", "kind", "capacity", "address", "accessible",
                 "hours")


ID = Column("id", "integer", "Ідентифікатор", "Identifier")
NAME = (Column("name", "string", "Назва", "Name"),
        Column("name_en", "string", "Назва англійською", "Name in English"))


def _layer(name: str, title: str, title_en: str, description: str, description_en: str,
           columns: tuple[Column, ...], produce: Any, keywords: tuple[str, ...],
           resolution_835: str = "", publisher: str = "architecture") -> OpenDataset:
    return OpenDataset(
        name=name, title=title, title_en=title_en, description=description,
        description_en=description_en, publisher=publisher, theme="REGI",
        keywords=keywords, frequency="WEEKLY", resolution_835=resolution_835,
        stale_on=("twin.FeatureChanged",),
        tables=(OpenTable(name, title, title_en, columns, produce, geometry=True),))


DATASETS = (
    _layer("districts", "Райони міста", "City districts",
           "Межі районів міста з кодами КАТОТТГ.", "District boundaries with KATOTTG codes.",
           (ID, *NAME, Column("katottg", "string", "Код КАТОТТГ", "KATOTTG code"),
            Column("prefix", "string", "Префікс номерів орієнтирів", "Landmark prefix")),
           districts, ("райони", "межі", "КАТОТТГ")),
    _layer("streets", "Вулиці", "Streets", "Осьові лінії вулиць міста.",
           "Centre lines of the city's streets.",
           (ID, *NAME, Column("type", "string", "Тип", "Kind")), streets,
           ("вулиці", "адреси")),
    _layer("landmarks", "Номерні орієнтири", "Numbered landmarks",
           "Опори, люки, дерева з публічними номерами для звернень.",
           "Poles, manholes, trees with the public numbers residents cite in reports.",
           (Column("number", "string", "Номер", "Number"),
            Column("kind", "string", "Тип", "Kind")), landmarks, ("орієнтири", "опори")),
    _layer("shelters", "Укриття", "Shelters",
           "Захисні споруди та найпростіші укриття з місткістю і доступністю.",
           "Civil-protection shelters with capacity and accessibility.",
           (ID, *NAME, Column("kind", "string", "Тип", "Kind"),
            Column("capacity", "integer", "Місткість", "Capacity", "persons"),
            Column("address", "string", "Адреса", "Address"),
            Column("accessible", "boolean", "Доступне для маломобільних",
                   "Accessible for people with reduced mobility"),
            Column("hours", "string", "Години роботи", "Opening hours")), shelters,
           ("укриття", "цивільний захист", "безбар'єрність"), "mun-035",
           publisher="civil-protection"),
)
