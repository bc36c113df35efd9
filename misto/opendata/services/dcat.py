"""The catalogue as DCAT-AP 3 (rdflib), for harvesters: data.gov.ua and data.europa.eu.

Every node a DCAT-AP shape expects to be of a class is typed (licence document, concept,
frequency, media type, location, agent), so the graph passes the SHACL shapes with their
class ranges. Controlled vocabularies are the EU Publications Office's authority tables.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from misto.core.registry import departments
from misto.opendata.models import Dataset
from misto.opendata.services.catalogue import described
from misto.opendata.vocabulary import LICENCES, THEMES

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
MEDIA_TYPES = {"CSV": "text/csv", "JSON": "application/json",
               "GeoJSON": "application/geo+json", "Parquet": "application/vnd.apache.parquet"}
FILE_TYPES = {"CSV": "CSV", "JSON": "JSON", "GeoJSON": "GEOJSON", "Parquet": "PARQUET"}
UKRAINE = URIRef(AUTHORITY + "country/UKR")


def _typed(graph: Graph, node: URIRef, kind: URIRef) -> URIRef:
    graph.add((node, RDF.type, kind))
    return node


def _when(value: datetime) -> Literal:
    return Literal(timezone.localtime(value).isoformat(timespec="seconds"),
                   datatype=XSD.dateTime)


def catalogue_graph(base: str, datasets: list[Dataset]) -> Graph:
    """The DCAT-AP catalogue of ``datasets``; ``base`` is the site's absolute root URL."""
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF),
                              ("vcard", VCARD), ("skos", SKOS)):
        graph.bind(prefix, namespace)
    catalogue = _typed(graph, URIRef(f"{base}catalog"), DCAT.Catalog)
    city = settings.MISTO_CITY_NAME or "Misto"
    graph.add((catalogue, DCTERMS.title, Literal(f"Відкриті дані: {city}", lang="uk")))
    graph.add((catalogue, DCTERMS.title, Literal(f"Open data: {city}", lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal(
        "Набори даних міста, опубліковані з його платформи.", lang="uk")))
    graph.add((catalogue, DCTERMS.description, Literal(
        "The city's datasets, published from its platform.", lang="en")))
    graph.add((catalogue, DCTERMS.publisher, _agent(graph, base, "city", city)))
    graph.add((catalogue, FOAF.homepage, _typed(graph, URIRef(f"{base}opendata/"),
                                                FOAF.Document)))
    for language in ("UKR", "ENG"):
        graph.add((catalogue, DCTERMS.language, _typed(
            graph, URIRef(f"{AUTHORITY}language/{language}"), DCTERMS.LinguisticSystem)))
    graph.add((catalogue, DCTERMS.spatial, _typed(graph, UKRAINE, DCTERMS.Location)))
    names = departments()
    for dataset in datasets:
        graph.add((catalogue, DCAT.dataset, _dataset(graph, base, dataset, names)))
    return graph


def _agent(graph: Graph, base: str, code: str, name: str) -> URIRef:
    agent = _typed(graph, URIRef(f"{base}opendata/publishers/{code}"), FOAF.Agent)
    graph.add((agent, FOAF.name, Literal(name, lang="uk")))
    return agent


def _dataset(graph: Graph, base: str, dataset: Dataset, names: dict[str, object]) -> URIRef:
    node = _typed(graph, URIRef(f"{base}opendata/{dataset.name}/"), DCAT.Dataset)
    graph.add((node, DCTERMS.identifier, Literal(dataset.name)))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="uk")))
    graph.add((node, DCTERMS.title, Literal(dataset.title_en, lang="en")))
    graph.add((node, DCTERMS.description, Literal(dataset.description or dataset.title,
                                                  lang="uk")))
    graph.add((node, DCTERMS.description, Literal(dataset.description_en or dataset.title_en,
                                                  lang="en")))
    department = names.get(dataset.publisher)
    graph.add((node, DCTERMS.publisher, _agent(
        graph, base, dataset.publisher, getattr(department, "name", dataset.publisher))))
    theme = _typed(graph, URIRef(f"{AUTHORITY}data-theme/{dataset.theme}"), SKOS.Concept)
    for label, language in zip(THEMES.get(dataset.theme, (dataset.theme,) * 2), ("uk", "en"),
                               strict=True):
        graph.add((theme, SKOS.prefLabel, Literal(label, lang=language)))
    graph.add((node, DCAT.theme, theme))
    for keyword in dataset.keywords:
        graph.add((node, DCAT.keyword, Literal(keyword, lang="uk")))
    graph.add((node, DCTERMS.accrualPeriodicity, _typed(
        graph, URIRef(f"{AUTHORITY}frequency/{dataset.frequency}"), DCTERMS.Frequency)))
    graph.add((node, DCTERMS.issued, _when(dataset.created_at)))
    graph.add((node, DCTERMS.modified, _when(dataset.modified_at)))
    graph.add((node, OWL.versionInfo, Literal(str(dataset.version))))
    graph.add((node, DCTERMS.spatial, _typed(graph, UKRAINE, DCTERMS.Location)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start,
                                                       datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
        graph.add((node, DCTERMS.temporal, period))
    if dataset.contact_email or dataset.contact_name:
        contact = BNode()
        graph.add((contact, RDF.type, VCARD.Kind))
        graph.add((contact, VCARD.fn, Literal(dataset.contact_name or dataset.publisher)))
        if dataset.contact_email:
            graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
        graph.add((node, DCAT.contactPoint, contact))
    graph.add((node, DCAT.landingPage, _typed(graph, URIRef(f"{base}opendata/{dataset.name}/"),
                                              FOAF.Document)))
    known = LICENCES.get(dataset.licence)
    licence = _typed(graph, URIRef(known[2] if known else dataset.licence),
                     DCTERMS.LicenseDocument)
    for resource in described(dataset):
        url = URIRef(f"{base}opendata/{dataset.name}/{resource.table}.{resource.extension}")
        distribution = _typed(graph, URIRef(f"{url}#distribution"), DCAT.Distribution)
        graph.add((distribution, DCAT.accessURL, url))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCTERMS.title, Literal(
            f"{resource.title} ({resource.format})", lang="uk")))
        graph.add((distribution, DCTERMS.license, licence))
        graph.add((distribution, DCTERMS.format, _typed(
            graph, URIRef(f"{AUTHORITY}file-type/{FILE_TYPES[resource.format]}"),
            DCTERMS.MediaTypeOrExtent)))
        graph.add((distribution, DCAT.mediaType, _typed(graph, URIRef(
            f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[resource.format]}"),
            DCTERMS.MediaType)))
        graph.add((distribution, DCAT.byteSize, Literal(resource.size,
                                                        datatype=XSD.nonNegativeInteger)))
        graph.add((distribution, DCTERMS.modified, _when(resource.modified_at)))
        graph.add((node, DCAT.distribution, distribution))
    return node
