"""Search: what a resident types (a landmark number, "street house", a street, a place's
name) to features, tolerating typos, every apostrophe variant and Latin (KMU 2010)
spelling.

It only reads: the search keys it matches are written with each feature by
:mod:`misto.twin.services.features`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from misto.twin import builtin
from misto.twin.models import Feature
from misto.twin.services.layers import can_see
from misto.twin.services.numbering import landmark
from misto.twin.text import house_key, search_key, split_house, street_score


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "landmark", "address", "street", "feature"
    label: str
    feature_id: int
    layer: str
    lon: float
    lat: float
    number: str | None = None
    score: float = 1.0


def _hit(kind: str, feature: Feature, score: float) -> SearchHit:
    point = feature.geometry.point_on_surface
    return SearchHit(kind, feature.number or feature.name, feature.pk, feature.layer.code,
                     point.x, point.y, feature.number, round(score, 3))


def search(query: str, limit: int = 10, user: Any = None) -> list[SearchHit]:
    """Landmark numbers, addresses, streets and named places matching a query.

    Tolerates typos, every apostrophe variant and Latin (KMU 2010) spelling.
    """
    query = query.strip()[:200]
    if not query:
        return []
    limit = max(1, min(limit, 50))
    hits: list[SearchHit] = []
    found = landmark(query)
    if found is not None and (user is None or can_see(user, found.layer)):
        hits.append(_hit("landmark", found, 1.0))
    key = search_key(query)
    if not key:
        return hits
    street_part, house = split_house(key)
    streets = _match_streets(street_part)
    if house and streets:
        addresses = Feature.objects.filter(
            layer__code=builtin.ADDRESSES, retired_at__isnull=True,
            search_key__in=[f"{street} {house_key(house)}" for street, _s in streets[:5]],
        ).select_related("layer")
        score_of = dict(streets)
        for feature in addresses:
            street_key = feature.search_key.rsplit(" ", 1)[0]
            hits.append(_hit("address", feature, score_of.get(street_key, 0.5)))
    street_rows = {
        row.search_key: row for row in Feature.objects.filter(
            layer__code=builtin.STREETS, retired_at__isnull=True,
            search_key__in=[street for street, _s in streets[:limit]],
        ).select_related("layer")
    }
    for street, score in streets[:limit]:
        if street in street_rows:
            hits.append(_hit("street", street_rows[street], score * 0.95))
    if len(hits) < limit:
        named = Feature.objects.filter(
            retired_at__isnull=True, search_key__contains=key,
        ).exclude(layer__code__in=[builtin.ADDRESSES, builtin.STREETS, builtin.BUILDINGS])
        named = named.select_related("layer")
        for feature in named[: limit * 2]:
            if user is None or can_see(user, feature.layer):
                hits.append(_hit("feature", feature, 0.7))
    hits.sort(key=lambda hit: -hit.score)
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit.feature_id not in seen:
            seen.add(hit.feature_id)
            unique.append(hit)
    return unique[:limit]


def _match_streets(street_key: str, threshold: float = 0.35) -> list[tuple[str, float]]:
    """Street keys resembling the query's street part, best first (typo-tolerant)."""
    if not street_key:
        return []
    keys = set(Feature.objects.filter(layer__code=builtin.STREETS, retired_at__isnull=True)
               .values_list("search_key", flat=True))
    scored = [(key, street_score(street_key, key)) for key in keys if key]
    good = [(key, score) for key, score in scored if score >= threshold]
    good.sort(key=lambda item: (-item[1], item[0]))
    return good
