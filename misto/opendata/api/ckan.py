"""CKAN's Action API (``/api/3/action/<action>`` and ``/api/action/<action>``), read-only,
in CKAN's envelope, so ``ckanapi`` and CKAN harvesters (the national portal's) read Misto
unchanged.

Parameters come from the query string (GET) or a JSON body (POST, as ckanapi sends them);
every refusal is CKAN's ``{"success": false, "error": {"__type", "message"}}`` with CKAN's
status (400 unknown action or bad JSON, 404 not found, 409 validation and search errors),
never a 500.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from misto.core.registry import departments
from misto.opendata import services
from misto.opendata.errors import CkanCode, CkanError
from misto.opendata.models import Dataset, Resource, Service, State, ckan_id
from misto.opendata.services import datastore
from misto.opendata.services.catalogue import FACETS, SORTABLE, described, without_content
from misto.opendata.services.dcat import MEDIA_TYPES
from misto.opendata.vocabulary import LICENCES, THEMES

ROWS_MAX = 1000  # CKAN's ckan.search.rows_max default
Params = dict[str, Any]


def dataset_id(dataset: Dataset) -> str:
    """A stable UUID per dataset name (CKAN's ids are UUIDs; names may be used too)."""
    return str(dataset.ckan_id or ckan_id(dataset.name))


def _departments(request: HttpRequest) -> dict[str, Any]:
    """The departments' names, read once per request (a search shows ten datasets)."""
    known = getattr(request, "_opendata_departments", None)
    if known is None:
        known = departments()
        setattr(request, "_opendata_departments", known)  # noqa: B010
    return known


def _organization(request: HttpRequest, code: str) -> dict[str, Any]:
    department = _departments(request).get(code)
    title = getattr(department, "name", code) if department else code
    return {"id": code, "name": code, "title": title, "type": "organization",
            "description": getattr(department, "name_en", "") if department else "",
            "state": "active", "is_organization": True, "image_url": ""}


def resource_dict(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("opendata:download", args=[
        resource.dataset.name, resource.table, resource.extension]))
    return {"id": str(resource.pk), "package_id": dataset_id(resource.dataset),
            "name": f"{resource.title} ({resource.format})", "name_en": resource.title_en,
            "description": resource.title_en, "format": resource.format, "url": url,
            "mimetype": MEDIA_TYPES.get(resource.format, ""),
            "size": resource.size, "hash": f"sha256:{resource.checksum}",
            "datastore_active": resource.datastore, "schema": resource.schema,
            "last_modified": resource.modified_at.isoformat(), "state": "active",
            "downloads": resource.downloads}


def package_dict(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    licence_title, licence_url, _uri = LICENCES.get(dataset.licence, (dataset.licence, "", ""))
    extras = {"title_en": dataset.title_en, "notes_en": dataset.description_en,
              "frequency": dataset.frequency, "theme": dataset.theme,
              "spatial_text": dataset.spatial, "resolution_835": dataset.resolution_835,
              "temporal_start": dataset.temporal_start.isoformat()
              if dataset.temporal_start else "",
              "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
              "withdrawn_reason": dataset.withdrawn_reason}
    resources = [resource_dict(request, resource) for resource in described(dataset)]
    return {
        "id": dataset_id(dataset), "name": dataset.name, "title": dataset.title,
        "notes": dataset.description, "type": "dataset", "private": False,
        "state": "active" if dataset.state == State.PUBLISHED else "deleted",
        "license_id": dataset.licence, "license_title": licence_title,
        "license_url": licence_url, "version": str(dataset.version),
        "metadata_created": dataset.created_at.isoformat(),
        "metadata_modified": dataset.modified_at.isoformat(),
        "maintainer": dataset.contact_name, "maintainer_email": dataset.contact_email,
        "owner_org": dataset.publisher, "organization": _organization(request, dataset.publisher),
        "tags": [{"name": keyword, "display_name": keyword} for keyword in dataset.keywords],
        "num_tags": len(dataset.keywords),
        "groups": [{"name": dataset.theme.lower(),
                    "title": THEMES.get(dataset.theme, ("", ""))[1]}],
        "resources": resources, "num_resources": len(resources),
        "url": request.build_absolute_uri(reverse("opendata:detail", args=[dataset.name])),
        "extras": [{"key": key, "value": value} for key, value in extras.items() if value]}


# Parameters ---------------------------------------------------------------------------

def _int(params: Params, name: str, default: int, maximum: int | None = None) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CkanError(CkanCode.VALIDATION, _("Invalid integer"), field=name) from None
    if number < 0:
        raise CkanError(CkanCode.VALIDATION, _("Must be a natural number"), field=name)
    if maximum is not None and number > maximum:
        raise CkanError(CkanCode.VALIDATION, _("Must be %(max)d or less") % {"max": maximum},
                        field=name)
    return number


def _bool(params: Params, name: str, default: bool) -> bool:
    """CKAN's booleans: JSON true/false, or "true"/"false" (any case), "1"/"0"."""
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise CkanError(CkanCode.VALIDATION, _("Must be true or false"), field=name)


def _text(params: Params, name: str, default: str = "") -> str:
    value = params.get(name, default)
    if not isinstance(value, str):
        raise CkanError(CkanCode.VALIDATION, _("Must be a string"), field=name)
    return value


def _json_or_list(params: Params, name: str) -> Any:
    """A parameter that is JSON in a query string and native in a JSON body."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            if name == "fields":  # CKAN also takes "a,b"
                return [part.strip() for part in value.split(",") if part.strip()]
            raise CkanError(CkanCode.VALIDATION, _("Cannot parse JSON"), field=name) from None
    return value


def _required(params: Params, name: str) -> str:
    value = params.get(name)
    if not value or not isinstance(value, str | int):
        raise CkanError(CkanCode.VALIDATION, _("Missing value"), field=name)
    return str(value)


def _sort(value: str, known: set[str]) -> list[tuple[str, bool]]:
    """CKAN's ``"field [asc|desc], ..."``."""
    sort = []
    for part in (item.strip() for item in value.split(",") if item.strip()):
        name, *direction = part.split()
        if name.startswith('"') and name.endswith('"'):
            name = name[1:-1]
        if name not in known or len(direction) > 1 or (
                direction and direction[0].lower() not in ("asc", "desc")):
            raise CkanError(CkanCode.VALIDATION, _("Cannot sort by %(sort)s") % {"sort": part},
                            field="sort")
        sort.append((name, bool(direction) and direction[0].lower() == "desc"))
    return sort


_FQ_TERM = re.compile(r'\+?(\w+):(?:"([^"]*)"|([^\s"]+))')


def parse_fq(fq: str) -> dict[str, list[str]]:
    """CKAN's filter query, the part harvesters and clients use: ``key:value`` terms
    (quoted values may hold spaces), ANDed; keys are the facets and ``name``."""
    filters: dict[str, list[str]] = {}
    rest = fq
    for match in _FQ_TERM.finditer(fq):
        key, value = match[1], match[2] if match[2] is not None else match[3]
        if key not in (*FACETS, "name"):
            raise CkanError(CkanCode.SEARCH_QUERY,
                            _("Cannot filter by %(key)s (use %(keys)s).")
                            % {"key": key, "keys": ", ".join((*FACETS, "name"))})
        filters.setdefault(key, []).append(value)
        rest = rest.replace(match[0], " ", 1)
    if rest.strip() and rest.strip().upper() != "AND" and set(rest.split()) - {"AND"}:
        raise CkanError(CkanCode.SEARCH_QUERY,
                        _("Cannot parse the filter query: %(fq)s") % {"fq": fq.strip()})
    return filters


# Actions -----------------------------------------------------------------------------

def _find(identifier: str) -> Dataset:
    """A dataset by name or CKAN id (one indexed query)."""
    try:
        by_id = Q(ckan_id=uuid.UUID(identifier))
    except ValueError:
        by_id = Q(pk__in=[])
    dataset = (Dataset.objects.filter(Q(name=identifier) | by_id)
               .prefetch_related(without_content()).first())
    if dataset is None:
        raise CkanError(CkanCode.NOT_FOUND, _("Dataset not found"))
    return dataset


def package_list(request: HttpRequest, params: Params) -> Any:
    names = list(services.published().values_list("name", flat=True))
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", len(names), ROWS_MAX)
    return names[offset:offset + limit]


def package_show(request: HttpRequest, params: Params) -> Any:
    return package_dict(request, _find(_required(params, "id")))


def package_search(request: HttpRequest, params: Params) -> Any:
    facet_fields = _json_or_list(params, "facet.field") or []
    if not isinstance(facet_fields, list) or any(name not in FACETS for name in facet_fields):
        raise CkanError(CkanCode.VALIDATION, _("Facets: a list of %(keys)s")
                        % {"keys": ", ".join(FACETS)}, field="facet.field")
    sort = _text(params, "sort", "")
    query = services.Search(
        q=_text(params, "q", "").replace("*:*", " "), filters=parse_fq(_text(params, "fq", "")),
        sort=[] if sort.strip().startswith("score") else _sort(sort, set(SORTABLE)),
        start=_int(params, "start", 0), rows=_int(params, "rows", 10, ROWS_MAX))
    count, page, facets = services.search(query)
    limit = _int(params, "facet.limit", 50)
    shown = {name: dict(sorted(facets[name].items(), key=lambda item: -item[1])[:limit])
             for name in facet_fields}
    return {"count": count, "results": [package_dict(request, dataset) for dataset in page],
            "sort": sort or "score desc, metadata_modified desc", "facets": shown,
            "search_facets": {name: {"title": name, "items": [
                {"name": value, "display_name": value, "count": n}
                for value, n in values.items()]} for name, values in shown.items()}}


def organization_list(request: HttpRequest, params: Params) -> Any:
    counted = services.values_of("organization")
    if str(params.get("all_fields", "")).lower() in ("true", "1"):
        return [{**_organization(request, code), "package_count": n} for code, n in counted]
    return [code for code, _n in counted]


def organization_show(request: HttpRequest, params: Params) -> Any:
    code = _required(params, "id")
    datasets = list(services.published().filter(publisher=code))
    if not datasets:
        raise CkanError(CkanCode.NOT_FOUND, _("Organization not found"))
    return {**_organization(request, code), "package_count": len(datasets),
            "packages": [package_dict(request, dataset) for dataset in datasets]
            if str(params.get("include_datasets", "")).lower() in ("true", "1") else []}


def group_list(request: HttpRequest, params: Params) -> Any:
    counted = services.values_of("groups")
    if str(params.get("all_fields", "")).lower() in ("true", "1"):
        return [{"id": theme, "name": theme, "title": THEMES.get(theme.upper(), ("", theme))[1],
                 "type": "group", "state": "active", "package_count": n}
                for theme, n in counted]
    return [theme for theme, _n in counted]


def tag_list(request: HttpRequest, params: Params) -> Any:
    return [word for word, _n in services.values_of("tags", _text(params, "query", ""))]


def resource_show(request: HttpRequest, params: Params) -> Any:
    identifier = _required(params, "id")
    resource = (Resource.objects.select_related("dataset").defer("content", "binary")
                .filter(pk=int(identifier) if identifier.isdigit() else -1).first())
    if resource is None:
        raise CkanError(CkanCode.NOT_FOUND, _("Resource was not found."))
    return resource_dict(request, resource)


def status_show(request: HttpRequest, params: Params) -> Any:
    return {"ckan_version": "2.11.0", "site_title": "Misto", "site_description": "",
            "site_url": request.build_absolute_uri("/"), "locale_default": "uk",
            "extensions": ["datastore", "dcat"]}


def datastore_search(request: HttpRequest, params: Params) -> Any:
    filters = _json_or_list(params, "filters") or {}
    if not isinstance(filters, dict):
        raise CkanError(CkanCode.VALIDATION, _("Must be a JSON object"), field="filters")
    fields = _json_or_list(params, "fields")
    if fields is not None and (not isinstance(fields, list)
                               or not all(isinstance(name, str) for name in fields)):
        raise CkanError(CkanCode.VALIDATION, _("A list of field names"), field="fields")
    resource_id = _required(params, "resource_id")
    resource = datastore.datastore_resource(resource_id)
    columns = {field["name"] for field in resource.schema.get("fields", [])}
    q = params.get("q", "")
    if not isinstance(q, str):
        raise CkanError(CkanCode.VALIDATION, _("Full-text search takes a string."), field="q")
    return datastore.search(datastore.Query(
        resource_id=resource_id, filters=filters, q=q, fields=fields or None,
        sort=_sort(_text(params, "sort", ""), columns),
        limit=_int(params, "limit", datastore.DEFAULT_LIMIT, datastore.MAX_LIMIT),
        offset=_int(params, "offset", 0),
        include_total=_bool(params, "include_total", True)), resource)


def datastore_search_sql(request: HttpRequest, params: Params) -> Any:
    result = datastore.search(datastore.parse_sql(_required(params, "sql")))
    return {"records": result["records"], "fields": result["fields"]}


ACTIONS: dict[str, Callable[[HttpRequest, Params], Any]] = {
    function.__name__: function for function in (
        package_list, package_show, package_search, organization_list, organization_show,
        group_list, tag_list, resource_show, status_show, datastore_search,
        datastore_search_sql)}


def _params(request: HttpRequest) -> Params:
    if request.method == "POST" and request.body:
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except ValueError:
                raise CkanError(CkanCode.BAD_REQUEST, _("Bad request - JSON Error")) from None
            if not isinstance(body, dict):
                raise CkanError(CkanCode.BAD_REQUEST,
                                _("Bad request - JSON Error: the body is not an object"))
            return body
        return request.POST.dict()
    return request.GET.dict()


@csrf_exempt
def action(request: HttpRequest, action: str) -> HttpResponse:
    """One CKAN action; read-only, so GET and POST answer the same."""
    services.count_request(Service.CKAN)
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={action}")
    if request.method not in ("GET", "POST"):
        return JsonResponse({"help": help_url, "success": False, "error": {
            "__type": str(CkanCode.BAD_REQUEST), "message": _("Use GET or POST.")}},
            status=405, headers={"Allow": "GET, POST"})
    try:
        handler = ACTIONS.get(action)
        if handler is None:
            raise CkanError(CkanCode.BAD_REQUEST, _("Bad request - Action name not known: "
                                                    "%(action)s") % {"action": action})
        result = handler(request, _params(request))
    except CkanError as error:
        return JsonResponse({"help": help_url, **error.envelope()}, status=error.status)
    return JsonResponse({"help": help_url, "success": True, "result": result},
                        json_dumps_params={"ensure_ascii": False})
