"""``/catalog.ttl``, ``/catalog.jsonld``, ``/catalog.rdf``: the DCAT-AP 3 catalogue of the
published datasets (withdrawn ones leave it, so harvesters drop them)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from misto.opendata import services
from misto.opendata.models import Service
from misto.opendata.services.dcat import catalogue_graph

FORMATS = {"ttl": ("turtle", "text/turtle; charset=utf-8"),
           "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
           "rdf": ("xml", "application/rdf+xml; charset=utf-8")}


@require_GET
def catalogue(request: HttpRequest, extension: str) -> HttpResponse:
    if extension not in FORMATS:
        raise Http404("catalog.ttl, catalog.jsonld or catalog.rdf")
    services.count_request(Service.CATALOGUE)
    syntax, content_type = FORMATS[extension]
    graph = catalogue_graph(request.build_absolute_uri("/"), list(services.published()))
    return HttpResponse(graph.serialize(format=syntax), content_type=content_type)
