"""The twin's HTTP API, mounted at /api/twin/. Thin: every handler calls ``services``.

Errors are JSON ``{"error": <code>, "detail": <reason>}`` with a 4xx status: handlers raise
``TwinError`` (codes in ``misto.twin.errors``) and ``misto/api.py`` answers; an invalid feature
adds the list of its problems under ``errors``. Every route declares its answers, 400 included
(the core refuses a NUL byte anywhere in a request before any route sees it); GeoJSON is served
as ``application/geo+json`` (declared beside ``application/json`` by :func:`_geojson`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field

from misto.core.permissions import can
from misto.core.schemas import DbId, refusals
from misto.twin import geo, services, tiles
from misto.twin.errors import NotFound, TwinCode, TwinError
from misto.twin.models import Feature

router = Router(tags=["twin"])

GEOJSON = "application/geo+json"


def geojson(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=GEOJSON,
                        json_dumps_params={"ensure_ascii": False})


def _geojson(schema: type[Schema], status: int = 200) -> dict[str, Any]:
    """``openapi_extra`` saying that ``status`` is GeoJSON (RFC 7946's media type)."""
    ref = {"$ref": f"#/components/schemas/{schema.__name__}"}
    return {"responses": {status: {"content": {GEOJSON: {"schema": ref}}}}}


class GeoFeature(Schema):
    """A GeoJSON Feature (RFC 7946): lon/lat geometry, the feature's properties."""

    type: Literal["Feature"]
    id: int
    geometry: dict[str, Any]
    properties: dict[str, Any]


class GeoCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[GeoFeature]


class LayerOut(Schema):
    code: str
    title: str
    title_uk: str
    title_en: str
    geometry_type: str
    owner_department: str
    visibility: str
    numbered: bool
    min_zoom: int
    color: str
    features: str
    schema_: dict[str, Any] = Field(alias="schema")
    can_edit: bool


class LayersOut(Schema):
    layers: list[LayerOut]


class DistrictOut(Schema):
    name: str
    name_en: str
    katottg: str
    prefix: str
    feature_id: int


class DistrictsOut(Schema):
    districts: list[DistrictOut]


class NearbyOut(Schema):
    feature_id: int
    layer: str
    number: str | None
    name: str
    kind: str
    lon: float
    lat: float
    distance_m: float


class LocateOut(Schema):
    lon: float
    lat: float
    inside_city: bool
    district: DistrictOut | None
    nearest_address: NearbyOut | None
    landmarks: list[NearbyOut]
    message: str | None = None


class SearchHitOut(Schema):
    kind: str
    label: str
    feature_id: int
    layer: str
    number: str | None
    lon: float
    lat: float
    score: float


class SearchOut(Schema):
    query: str
    results: list[SearchHitOut]


# --- Reading ---------------------------------------------------------------------------


def _layer_out(request: HttpRequest, layer: Any) -> dict[str, Any]:
    return {
        "code": layer.code, "title": layer.title(), "title_uk": layer.title_uk,
        "title_en": layer.title_en, "geometry_type": layer.geometry_type,
        "owner_department": layer.owner_department, "visibility": layer.visibility,
        "numbered": layer.numbered, "min_zoom": layer.min_zoom, "color": layer.color,
        "features": f"/api/twin/layers/{layer.code}/features",
        "schema": layer.schema, "can_edit": services.can_edit(request.user, layer),
    }


@router.get("/layers", response={200: LayersOut, **refusals(400)}, by_alias=True,
            summary="The layers you may see")
def layers(request: HttpRequest) -> JsonResponse:
    data = [_layer_out(request, layer) for layer in services.visible_layers(request.user)]
    return JsonResponse({"layers": data}, json_dumps_params={"ensure_ascii": False})


@router.get("/layers/{code}", response={200: LayerOut, **refusals(400, 404)}, by_alias=True,
            summary="One layer, with its property schema")
def layer_detail(request: HttpRequest, code: str) -> JsonResponse:
    layer = services.access_layer(request.user, code)
    return JsonResponse(_layer_out(request, layer), json_dumps_params={"ensure_ascii": False})


class FeaturesQuery(Schema):
    bbox: str | None = None
    as_of: datetime | None = None
    limit: int = 5000


@router.get("/layers/{code}/features", response={200: GeoCollection, **refusals(400, 404)},
            openapi_extra=_geojson(GeoCollection), summary="A layer's features as GeoJSON")
def layer_features(request: HttpRequest, code: str,
                   query: Query[FeaturesQuery]) -> JsonResponse:
    """``bbox=west,south,east,north`` limits to a box; ``as_of`` (ISO 8601) shows the layer
    as it was then, from the history."""
    layer = services.access_layer(request.user, code)
    limit = max(1, min(query.limit, 50_000))
    if query.as_of is not None:
        when = query.as_of
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        states = services.layer_as_of(layer, when)[:limit]
        return geojson(services.collection(services.state_geojson(s) for s in states))
    if query.bbox:
        rows = services.features_in_bbox(geo.parse_bbox(query.bbox), [layer.code])
    else:
        rows = Feature.objects.filter(layer=layer, retired_at__isnull=True)
    rows = rows.select_related("layer").order_by("pk")[:limit]
    return geojson(services.collection(services.feature_geojson(row) for row in rows))


@router.get("/features/{feature_id}", response={200: GeoFeature, **refusals(400, 404)},
            openapi_extra=_geojson(GeoFeature), summary="One feature as GeoJSON")
def feature_detail(request: HttpRequest, feature_id: DbId,
                   as_of: datetime | None = None) -> JsonResponse:
    feature = services.access_feature(request.user, feature_id)
    if as_of is not None:
        when = as_of if timezone.is_aware(as_of) else timezone.make_aware(as_of)
        state = services.feature_as_of(feature_id, when)
        if state is None:
            raise NotFound(TwinCode.NOT_FOUND, _("Feature %(id)s did not exist at %(when)s.")
                           % {"id": feature_id, "when": when.isoformat()})
        return geojson(services.state_geojson(state))
    extra = {"retired_at": feature.retired_at.isoformat() if feature.retired_at else None}
    return geojson(services.feature_geojson(feature, extra))


@router.get("/features/{feature_id}/history", response={200: GeoCollection, **refusals(400, 404)},
            openapi_extra=_geojson(GeoCollection), summary="Every version of a feature")
def feature_history(request: HttpRequest, feature_id: DbId) -> JsonResponse:
    services.access_feature(request.user, feature_id)
    states = services.feature_history(feature_id)
    return geojson(services.collection(services.state_geojson(s) for s in states))


@router.get("/landmarks/{number}", response={200: GeoFeature, **refusals(400, 404)},
            openapi_extra=_geojson(GeoFeature), summary="A landmark by its public number")
def landmark(request: HttpRequest, number: str) -> JsonResponse:
    """The landmark as a GeoJSON Feature, with its district; 404 with the reason."""
    feature = services.landmark(number)
    if feature is None or not services.can_see(request.user, feature.layer):
        raise NotFound(TwinCode.UNKNOWN_NUMBER,
                       _("No landmark has the number “%(number)s”. Numbers look like 12-0457.")
                       % {"number": number})
    point = feature.geometry.point_on_surface
    district = services.district_at(point.x, point.y)
    extra = {"district": _district(district)}
    return geojson(services.feature_geojson(feature, extra))


def _district(district: services.District | None) -> dict[str, Any] | None:
    if district is None:
        return None
    return {"name": district.name, "name_en": district.name_en, "katottg": district.katottg,
            "prefix": district.prefix, "feature_id": district.feature_id}


def _nearby(item: services.Nearby) -> dict[str, Any]:
    return {"feature_id": item.feature_id, "layer": item.layer, "number": item.number,
            "name": item.name, "kind": item.kind, "lon": round(item.lon, 7),
            "lat": round(item.lat, 7), "distance_m": round(item.distance_m, 1)}


class LocateQuery(Schema):
    lon: float
    lat: float
    n: int = 3


@router.get("/locate", response={200: LocateOut, **refusals(400)},
            summary="District, nearest address and landmarks of a point")
def locate(request: HttpRequest, query: Query[LocateQuery]) -> JsonResponse:
    where = services.locate(query.lon, query.lat, max(1, min(query.n, 20)))
    data: dict[str, Any] = {
        "lon": where.lon, "lat": where.lat, "inside_city": where.inside_city,
        "district": _district(where.district),
        "nearest_address": _nearby(where.address) if where.address else None,
        "landmarks": [_nearby(item) for item in where.landmarks],
    }
    if not where.inside_city:
        data["message"] = _("This point is outside the city's districts.")
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


class SearchQuery(Schema):
    q: str = ""
    limit: int = 10


@router.get("/search", response={200: SearchOut, **refusals(400)},
            summary="Addresses, streets, landmark numbers and places")
def search(request: HttpRequest, query: Query[SearchQuery]) -> JsonResponse:
    if not query.q.strip():
        raise TwinError(TwinCode.EMPTY_QUERY, _("Type an address, a street or a landmark number."))
    hits = services.search(query.q, query.limit, request.user)
    return JsonResponse({"query": query.q, "results": [
        {"kind": hit.kind, "label": hit.label, "feature_id": hit.feature_id,
         "layer": hit.layer, "number": hit.number, "lon": round(hit.lon, 7),
         "lat": round(hit.lat, 7), "score": hit.score} for hit in hits
    ]}, json_dumps_params={"ensure_ascii": False})


@router.get("/districts", response={200: DistrictsOut, **refusals(400)},
            summary="The city's districts (without geometry)")
def district_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"districts": [_district(d) for d in services.districts()]},
                        json_dumps_params={"ensure_ascii": False})


#: A tile is binary (MVT), declared by hand: it has no JSON schema.
MVT = {"responses": {200: {"content": {"application/vnd.mapbox-vector-tile": {
    "schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/tiles/{z}/{x}/{y}.mvt", response={200: None, **refusals(400)}, openapi_extra=MVT,
            summary="Mapbox Vector Tile of the layers")
def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """Cached until a feature or layer changes; the ETag lets a browser revalidate with
    ``If-None-Match`` (304, no body) on every use (``no-cache``), so a change shows at once.
    Staff tiles hold non-public layers: private to the browser, varying with the session."""
    staff = can(request.user, "twin.layer.view")
    etag = tiles.tile_etag(z, x, y, staff=staff)
    response: HttpResponse
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(tiles.cached_tile(z, x, y, etag, staff=staff),
                                content_type="application/vnd.mapbox-vector-tile")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache" if staff else "public, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


# --- Editing (staff) -------------------------------------------------------------------


class FeatureIn(Schema):
    geometry: dict[str, Any] | None = None
    properties: dict[str, Any] | None = None
    number: str | None = None
    reason: str = ""


@router.post("/layers/{code}/features", auth=django_auth,
             response={201: GeoFeature, **refusals(400, 401, 403, 404)},
             openapi_extra=_geojson(GeoFeature, 201), summary="Create a feature (staff)")
def create_feature(request: HttpRequest, code: str, payload: FeatureIn) -> JsonResponse:
    layer = services.access_layer(request.user, code, "create")
    feature = services.create_feature(layer, payload.geometry, payload.properties or {},
                                      number=payload.number, user=request.user,
                                      reason=payload.reason)
    return geojson(services.feature_geojson(feature), status=201)


@router.patch("/features/{feature_id}", auth=django_auth,
              response={200: GeoFeature, **refusals(400, 401, 403, 404)},
              openapi_extra=_geojson(GeoFeature), summary="Change a feature")
def change_feature(request: HttpRequest, feature_id: DbId, payload: FeatureIn) -> JsonResponse:
    services.access_feature(request.user, feature_id, "change")
    feature = services.change_feature(
        feature_id, geometry=payload.geometry, properties=payload.properties,
        number=payload.number, user=request.user, reason=payload.reason,
    )
    return geojson(services.feature_geojson(feature))


@router.delete("/features/{feature_id}", auth=django_auth,
               response={200: GeoFeature, **refusals(400, 401, 403, 404)},
               openapi_extra=_geojson(GeoFeature), summary="Retire a feature")
def retire_feature(request: HttpRequest, feature_id: DbId, reason: str = "") -> JsonResponse:
    services.access_feature(request.user, feature_id, "delete")
    feature = services.retire_feature(feature_id, user=request.user, reason=reason)
    return geojson(services.feature_geojson(feature))


class RouteQuery(Schema):
    from_lon: float
    from_lat: float
    to_lon: float
    to_lat: float
    mode: Literal["walk", "drive"] = "walk"


class StepOut(Schema):
    name: str
    distance_m: float
    time_s: float


class RouteOut(Schema):
    distance_m: float
    time_s: float
    mode: str
    geometry: dict[str, Any] = Field(description="GeoJSON LineString, lon/lat")
    steps: list[StepOut]


@router.get("/route", response={200: RouteOut, **refusals(400)},
            summary="The quickest way by street between two points (walk or drive)")
def route(request: HttpRequest, query: Query[RouteQuery]) -> JsonResponse:
    found = services.route((query.from_lon, query.from_lat), (query.to_lon, query.to_lat),
                           query.mode)
    return JsonResponse({
        "distance_m": round(found.distance_m, 1), "time_s": round(found.time_s, 1),
        "mode": found.mode, "geometry": found.geojson()["geometry"],
        "steps": [{"name": step.name, "distance_m": round(step.distance_m, 1),
                   "time_s": round(step.time_s, 1)} for step in found.steps],
    }, json_dumps_params={"ensure_ascii": False})
