"""The map page, the public list of shelters and the printable label sheets."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from misto.core.errors import MistoError
from misto.core.permissions import can
from misto.twin import builtin, geo, services
from misto.twin.models import Feature
from misto.twin.services import shelters

DEFAULT_CENTRE = (35.165, 47.845)
HIDDEN_BY_DEFAULT = {builtin.LAND_PLOTS, builtin.NETWORKS, builtin.ADDRESSES}


def _report_url() -> str | None:
    """Where "report a problem here" goes, when a reports module offers a page for it."""
    for name in ("reports:submit", "reports:new"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def map_page(request: HttpRequest) -> HttpResponse:
    layers = services.visible_layers(request.user)
    editable = [layer.code for layer in layers if services.can_edit(request.user, layer)]
    config: dict[str, Any] = {
        "tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt",
        "api": "/api/twin",
        "centre": list(DEFAULT_CENTRE),
        "bounds": list(bounds) if (bounds := geo.districts_extent()) else None,
        "report_url": _report_url(),
        "editable": editable,
        "layers": [
            {"code": layer.code, "title": layer.title(), "geometry": layer.geometry_type,
             "color": layer.color, "min_zoom": layer.min_zoom,
             "visible": layer.code not in HIDDEN_BY_DEFAULT,
             "has_name": "name" in (layer.schema or {}).get("properties", {})}
            for layer in layers
        ],
        "fields": {
            "kind": _("Kind"), "owner": _("Owner"), "note": _("Note"), "street": _("Street"),
            "housenumber": _("House number"), "postcode": _("Postcode"),
            "katottg": _("KATOTTG code"), "prefix": _("Number prefix"),
            "capacity": _("Capacity"), "accessible": _("Accessible"), "hours": _("Hours"),
            "address": _("Address"), "phone": _("Phone"), "levels": _("Floors"),
            "use": _("Use"), "year": _("Year built"), "network": _("Network"),
            "diameter_mm": _("Diameter, mm"), "voltage_kv": _("Voltage, kV"),
            "cadastral": _("Cadastral number"), "purpose": _("Purpose"),
            "area_m2": _("Area, m²"), "name_en": _("Name in English"), "type": _("Type"),
        },
        "kinds": {
            "pole": _("pole"), "manhole": _("manhole"), "tree": _("tree"),
            "hydrant": _("hydrant"), "bench": _("bench"), "sign": _("sign"),
            "cabinet": _("cabinet"), "school": _("school"), "kindergarten": _("kindergarten"),
            "clinic": _("clinic"), "hospital": _("hospital"), "stop": _("stop"),
            "parking": _("parking"), "waste": _("waste containers"),
            "streetlight": _("streetlight"), "traffic_light": _("traffic light"),
            "heritage": _("heritage"), "sports": _("sports ground"),
            "pharmacy": _("pharmacy"), "administration": _("administration"),
            "shelter": _("shelter"), "dual_use": _("dual-use shelter"),
            "simple": _("simple shelter"), "other": _("other"),
        },
        # A building's use or a plot's purpose (the demo's values): shown by name.
        "values": {
            "residential": pgettext("building use", "residential"),
            "public": pgettext("building use", "public"),
            "commercial": pgettext("building use", "commercial"),
            "industrial": pgettext("building use", "industrial"),
        },
        "text": {
            "district": _("District"), "address": _("Nearest address"),
            "landmarks": _("Nearest landmarks"), "outside": _("Outside the city's districts"),
            "metres": _("m"), "nothing": _("Nothing found."), "report": _("Report a problem here"),
            "number": _("Landmark number"), "layer": _("Layer"), "searching": _("Searching…"),
            "error": _("Something went wrong; please try again."),
            "point": _("The point you chose"), "feature": _("Object"),
            "edit": _("Edit properties"), "move": _("Move here on next click"),
            "retire": _("Retire"), "save": _("Save"), "reason": _("Reason"),
            "add": _("Add a point here"), "saved": _("Saved."),
            "click_to_move": _("Click the map where the object should be."),
            "history": _("History"),
            "actions": {"created": _("created"), "changed": _("changed"),
                        "retired": _("retired")},
        },
    }
    return render(request, "twin/map.html", {"layers": layers, "config": config,
                                             "can_edit": bool(editable)})


# How far a shelter's nearest landmark may be for its number to help someone find it.
LANDMARK_NEAR_M = 300

SHELTER_KINDS = {"shelter": gettext_lazy("shelter"), "dual_use": gettext_lazy("dual-use shelter"),
                 "simple": gettext_lazy("simple shelter")}


def _natural_key(text: str) -> list[Any]:
    """"Укриття № 2" before "Укриття № 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


STATUS_LABELS = {"open": pgettext_lazy("shelter", "open"),
                 "closed": pgettext_lazy("shelter", "closed"),
                 "unknown": gettext_lazy("status unknown")}


def _shelter_row(feature: Feature, english: bool) -> dict[str, Any]:
    """What a resident needs to reach a shelter: its name, address and a landmark number
    (its own, or the nearest numbered pole or tree, which is painted on the street)."""
    props = feature.properties
    point = feature.geometry.point_on_surface
    address = props.get("address") or ""
    if not address:
        nearest_address = services.nearest_address(point.x, point.y)
        address = nearest_address.name if nearest_address else ""
    number = feature.number or ""
    if not number:
        near = services.nearest(point.x, point.y, 1, max_distance_m=LANDMARK_NEAR_M)
        number = near[0].number or "" if near else ""
    status = shelters.status_of(feature)
    return {
        "id": feature.pk, "name": (english and props.get("name_en")) or feature.name,
        "kind": SHELTER_KINDS.get(props.get("kind", ""), ""),
        "capacity": props.get("capacity"), "accessible": props.get("accessible"),
        "accessibility": props.get("accessibility") or "", "keeper": props.get("keeper") or "",
        "status": status, "status_label": STATUS_LABELS[status],
        "hours": props.get("hours") or "", "address": address, "landmark": number,
        "lon": point.x, "lat": point.y,
    }


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _routes(request: HttpRequest, english: bool) -> tuple[dict[str, Any] | None, str]:
    """The nearest open shelters by walking route from the place asked, or why not."""
    query = (request.GET.get("q") or "").strip()[:100]
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    if not query and (lon is None or lat is None):
        return None, ""
    try:
        place = shelters.place_from(query, lon, lat)
        found = shelters.nearest_open(place)
    except MistoError as exc:
        return None, exc.message
    if not found:
        return None, _("No open shelter can be reached by street from there. Go to the "
                       "nearest basement or an inner corridor, away from windows.")
    rows = []
    for item in found:
        row = _shelter_row(item.feature, english)
        row.update({
            "distance_m": round(item.route.distance_m), "minutes": max(1, round(item.route.time_s
                                                                                / 60)),
            "steps": [{"name": step.name, "distance_m": round(step.distance_m)}
                      for step in item.route.steps],
            "route": item.route.geojson(),
            # Off the streets at both ends (to the door, across a yard), walked straight.
            "approach_m": round(item.route.distance_m
                                - sum(step.distance_m for step in item.route.steps)),
        })
        rows.append(row)
    return {"place": {"label": place.label, "lon": place.lon, "lat": place.lat},
            "shelters": rows}, ""


def shelters_page(request: HttpRequest) -> HttpResponse:
    """The shelters: the nearest open ones by walking route from where the resident is (a
    landmark number, an address or GPS), then the whole list. Plain HTML, so the service
    worker can keep it offline (the page script keeps the last route too)."""
    try:
        layer = services.access_layer(request.user, builtin.SHELTERS)
    except services.NotFound as exc:
        raise Http404(exc.message) from exc
    english = (get_language() or "").startswith("en")
    rows = [_shelter_row(feature, english) for feature in
            Feature.objects.filter(layer=layer, retired_at__isnull=True).order_by("pk")]
    rows.sort(key=lambda row: _natural_key(row["name"]))
    nearest, error = _routes(request, english)
    config = {
        "tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt",
        "centre": list(DEFAULT_CENTRE),
        "nearest": nearest,
        "text": {"saved": _("Saved route (no network): it was found earlier, the status may "
                            "have changed."),
                 "locating": _("Finding where you are…"),
                 "no_gps": _("Your phone did not share its location: type the number on the "
                             "nearest pole instead.")},
    }
    status = 400 if error else 200
    return render(request, "twin/shelters.html", {
        "shelters": rows, "layer": layer, "nearest": nearest, "error": error,
        "query": (request.GET.get("q") or "")[:100], "config": config,
        "can_keep": can(request.user, shelters.SET_STATUS),
    }, status=status)


@login_required
def shelter_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The keeper's phone page: open or close the shelter in one tap."""
    try:
        feature = shelters.access_shelter(request.user, pk)
    except MistoError as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        try:
            shelters.set_status(request.user, pk, request.POST.get("status", ""))
        except MistoError as exc:
            error = exc.message
        else:
            messages.success(request, _("Saved: residents now see the new status."))
            return redirect("twin:shelter-status", pk=pk)
    english = (get_language() or "").startswith("en")
    row = _shelter_row(feature, english)
    return render(request, "twin/shelter_status.html", {
        "shelter": row, "error": error,
        "choices": [(key, STATUS_LABELS[key]) for key in shelters.STATUSES],
    }, status=400 if error else 200)


def labels_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """A printable sheet of numbered labels with QR codes (staff only)."""
    if not can(request.user, "twin.label.print"):
        return HttpResponse(_("Only staff may print label sheets."), status=403)
    from misto.twin.labels import label_sheet  # same module; reportlab loads only for a sheet

    try:
        layer = services.access_layer(request.user, code)
        pdf = label_sheet(layer, base_url=request.build_absolute_uri("/"),
                          district_prefix=request.GET.get("district") or None)
    except MistoError as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{layer.code}.pdf"'
    return response
