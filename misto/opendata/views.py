"""Portal pages: search with facets, a dataset's page (metadata, preview, API snippets,
download counts, its RDF), the files themselves, and the staff's describe and withdraw.
Thin: they call ``services`` and render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from misto.core.http import see_other
from misto.core.i18n import localized
from misto.core.permissions import can
from misto.core.registry import departments
from misto.opendata import services
from misto.opendata.errors import OpendataError
from misto.opendata.models import Dataset, State
from misto.opendata.permissions import DATASET_DESCRIBE, DATASET_WITHDRAW
from misto.opendata.services import preview
from misto.opendata.services.catalogue import FACETS, described
from misto.opendata.vocabulary import FREQUENCIES, THEMES

PAGE = 20
PREVIEW = 20
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                 "geojson": "application/geo+json", "parquet": "application/vnd.apache.parquet"}


def _labels() -> dict[str, dict[str, str]]:
    """Facet values and codes as people read them, in the page's language: departments'
    names, themes' and frequencies' labels (the EU tables')."""
    english = (get_language() or "uk").startswith("en")
    names = {code: (getattr(department, "name_en", "") if english else "")
             or getattr(department, "name", code)
             for code, department in departments().items()}
    return {"organization": names,
            "groups": {code.lower(): labels[1 if english else 0]
                       for code, labels in THEMES.items()},
            "frequency": {code: labels[1 if english else 0]
                          for code, labels in FREQUENCIES.items()}}


def _dataset(request: HttpRequest, name: str, action: str | None = None) -> Dataset:
    try:
        return services.access_dataset(request.user, name, action)
    except OpendataError as error:
        raise Http404(error.message) from None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    filters = {key: request.GET.getlist(key) for key in FACETS if request.GET.getlist(key)}
    try:
        start = max(0, int(request.GET.get("start", "0")))
    except ValueError:
        start = 0
    count, page, facets = services.search(services.Search(q=q, filters=filters, start=start,
                                                          rows=PAGE))
    labels = _labels()
    shown = {key: [(value, labels.get(key, {}).get(value, value), n)
                   for value, n in values.items()] for key, values in facets.items()}
    return render(request, "opendata/index.html", {
        "q": q, "filters": filters, "count": count, "datasets": page, "facets": shown,
        "next_start": start + PAGE if start + PAGE < count else None,
        "requests_30_days": services.requests_since(30)})


@require_GET
def detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset(request, name)
    resources = described(dataset)
    previews = []
    for resource in resources:
        if resource.datastore:
            fields = resource.schema.get("fields", [])
            columns = [field["name"] for field in fields]
            rows = [[row.data.get(column) for column in columns]
                    for row in resource.rows_set.all()[:PREVIEW]]
            # A column's title in the reader's language (a field's "description" is its
            # English title, see services.tables), its name for the API beside it.
            headers = [(localized({"name": field.get("title") or field["name"],
                                   "name_en": field.get("description")}), field["name"])
                       for field in fields]
            previews.append((resource, headers, rows))
    base = request.build_absolute_uri("/")
    first = next((resource for resource in resources if resource.datastore), None)
    charts = [chart for chart in (preview.chart(resource) for resource in resources
                                  if resource.datastore) if chart is not None]
    shown = preview.map_resource(resources)
    labels = _labels()
    return render(request, "opendata/detail.html", {
        "dataset": dataset, "resources": resources, "previews": previews,
        "publisher": labels["organization"].get(dataset.publisher, dataset.publisher),
        "theme": labels["groups"].get(dataset.theme.lower(), dataset.theme),
        "frequency": labels["frequency"].get(dataset.frequency, dataset.frequency),
        "charts": charts, "map_config": {
            "tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt",
            "data": reverse("opendata:download", args=[dataset.name, shown.table, "geojson"])
            + "?preview=1"} if shown is not None else None,
        "withdrawn": dataset.state == State.WITHDRAWN,
        "versions": dataset.versions.all()[:10],
        "snippets": api_snippets(base, dataset, str(first.pk) if first else None),
        "may_describe": can(request.user, DATASET_DESCRIBE, dataset),
        "may_withdraw": can(request.user, DATASET_WITHDRAW, dataset)})


@require_GET
def download(request: HttpRequest, name: str, table: str, extension: str) -> HttpResponse:
    dataset = _dataset(request, name)
    if dataset.state == State.WITHDRAWN:
        raise Http404(_("The dataset is withdrawn."))
    try:
        resource = services.access_resource(dataset, table, extension)
    except OpendataError as error:
        raise Http404(error.message) from None
    if "preview" not in request.GET:  # the page's own map is no download
        services.count_download(resource)
    body = bytes(resource.binary) if resource.binary is not None else resource.content
    response = HttpResponse(body, content_type=CONTENT_TYPES[resource.extension])
    disposition = "attachment" if resource.binary is not None else "inline"
    response["Content-Disposition"] = \
        f'{disposition}; filename="{name}-{table}.{resource.extension}"'
    return response


@require_http_methods(["GET", "POST"])
def describe(request: HttpRequest, name: str) -> HttpResponse:
    if not can(request.user, DATASET_DESCRIBE):
        raise PermissionDenied(DATASET_DESCRIBE)
    dataset = _dataset(request, name, DATASET_DESCRIBE)
    error: OpendataError | None = None
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            services.do_describe(dataset, services.check_description(values))
        except OpendataError as refused:
            error = refused
        else:
            messages.success(request, _("The description is saved."))
            return HttpResponseRedirect(reverse("opendata:detail", args=[dataset.name]))
    return render(request, "opendata/describe.html", {
        "dataset": dataset, "error": error, "values": values or {
            "description": dataset.description, "description_en": dataset.description_en,
            "contact_name": dataset.contact_name, "contact_email": dataset.contact_email,
            "spatial": dataset.spatial,
            "temporal_start": dataset.temporal_start.isoformat()
            if dataset.temporal_start else "",
            "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else ""}},
        status=400 if error else 200)


@require_POST
def withdraw(request: HttpRequest, name: str) -> HttpResponse:
    """Withdraw (with the reason) or, with ``republish``, publish again."""
    if not can(request.user, DATASET_WITHDRAW):
        raise PermissionDenied(DATASET_WITHDRAW)
    dataset = _dataset(request, name, DATASET_WITHDRAW)
    try:
        if request.POST.get("republish"):
            services.republish(dataset)
            messages.success(request, _("The dataset is published again."))
        else:
            services.withdraw(dataset, request.POST.get("reason", ""))
            messages.success(request, _("The dataset is withdrawn; its page says why."))
    except OpendataError as error:
        messages.error(request, error.message)
    return see_other(reverse("opendata:detail", args=[dataset.name]))


def api_snippets(base: str, dataset: Dataset, resource_id: str | None) -> dict[str, str]:
    """How to read the dataset from code (shown on its page)."""
    snippets = {
        "curl": f"curl '{base}api/3/action/package_show?id={dataset.name}'",
        "python": "from ckanapi import RemoteCKAN\n"
                  f"portal = RemoteCKAN({json.dumps(base.rstrip('/'))})\n"
                  f"portal.action.package_show(id={json.dumps(dataset.name)})"}
    if resource_id:
        snippets["datastore"] = (f"curl '{base}api/3/action/datastore_search?"
                                 f"resource_id={resource_id}&limit=5'")
    return snippets
