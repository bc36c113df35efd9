"""The open-data portal: the city's datasets, published from the modules' own tables.

Modules declare what they publish (``MistoModule.datasets``: ``OpenDataset`` with typed
``OpenTable``s and producer functions); this module regenerates them on schedule, keeps each
version with its lineage, and serves them as files (CSV, JSON, GeoJSON), through a
CKAN-compatible Action API (``/api/3/action/``) and as a DCAT-AP 3 catalogue
(``/catalog.ttl``, ``.jsonld``, ``.rdf``). Nothing personal is published: producers return
anonymised rows and a test scans every file for the demo residents' data.
"""
