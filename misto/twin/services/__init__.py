"""The digital twin's operations: plain functions that views, the API, commands and other
modules call. The public ones are re-exported from ``misto.twin`` (see its docstring).

One file per concept, each importing only those above it in this list:

- ``dialect``: PostGIS or SpatiaLite, the question every spatial query asks first;
- ``layers``: built-in layers, the code <-> id cache, who may see or edit a layer;
- ``features``: validation (``check_feature``), writes with history, GeoJSON;
- ``geo``: point -> district, nearest features and address, features in a box or an area;
- ``numbering``: public landmark numbers, to a feature or a place, and giving them;
- ``search``: numbers, addresses, streets and names from what a resident types;
- ``routing``: the street graph, routes and the nearest features by route;
- ``shelters``: the shelters' status set by their keepers.

This file re-exports the names the rest of Misto uses (``services.get_layer``, and the
query texts the benchmark times), so callers need not know which file holds what.
"""

from misto.twin.errors import InvalidFeature, NotFound, TwinError
from misto.twin.services.dialect import is_postgres
from misto.twin.services.features import (
    Draft,
    access_feature,
    bulk_create,
    change_feature,
    check_feature,
    collection,
    create_feature,
    feature_as_of,
    feature_geojson,
    feature_history,
    layer_as_of,
    layer_collection,
    retire_feature,
    state_geojson,
    touch,
)
from misto.twin.services.geo import (
    _DISTRICT_SQL,
    _NEAREST_PG,
    _NEAREST_SL,
    District,
    Location,
    Nearby,
    check_lon_lat,
    district_at,
    district_name,
    districts,
    features_in_bbox,
    features_within,
    locate,
    nearest,
    nearest_address,
)
from misto.twin.services.layers import (
    access_layer,
    can_edit,
    can_see,
    ensure_builtin_layers,
    forget_layers,
    get_layer,
    visible_layers,
)
from misto.twin.services.numbering import (
    _NUMBER_SQL,
    Landmark,
    landmark,
    landmark_location,
    number_layer,
    number_prefix,
)
from misto.twin.services.routing import Route, RoutedFeature, Step, nearest_by_route, route
from misto.twin.services.search import SearchHit, search
from misto.twin.services.shelters import (
    Place,
    RoutedShelter,
    Shelter,
    nearest_open_shelters,
    place_from,
    shelters_by_id,
)

__all__ = [
    "_DISTRICT_SQL",
    "_NEAREST_PG",
    "_NEAREST_SL",
    "_NUMBER_SQL",
    "District",
    "Draft",
    "InvalidFeature",
    "Landmark",
    "Location",
    "Nearby",
    "NotFound",
    "Place",
    "Route",
    "RoutedFeature",
    "RoutedShelter",
    "SearchHit",
    "Shelter",
    "Step",
    "TwinError",
    "access_feature",
    "access_layer",
    "bulk_create",
    "can_edit",
    "can_see",
    "change_feature",
    "check_feature",
    "check_lon_lat",
    "collection",
    "create_feature",
    "district_at",
    "district_name",
    "districts",
    "ensure_builtin_layers",
    "feature_as_of",
    "feature_geojson",
    "feature_history",
    "features_in_bbox",
    "features_within",
    "forget_layers",
    "get_layer",
    "is_postgres",
    "landmark",
    "landmark_location",
    "layer_as_of",
    "layer_collection",
    "locate",
    "nearest",
    "nearest_address",
    "nearest_by_route",
    "nearest_open_shelters",
    "number_layer",
    "number_prefix",
    "place_from",
    "retire_feature",
    "route",
    "search",
    "shelters_by_id",
    "state_geojson",
    "touch",
    "visible_layers",
]
