"""Publication: collect the modules' declared datasets, regenerate each from its producer,
keep a version with its lineage when the data changed.

A module's producer reads only that module's tables (``MistoModule.datasets``); this
module never reads another's tables, it only stores what the producers hand it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from misto.core import bus
from misto.core.registry import OpenDataset, OpenTable, modules
from misto.opendata.events import DatasetPublished
from misto.opendata.models import Dataset, Resource, Row, State, Version
from misto.opendata.services import catalogue, tables

log = logging.getLogger(__name__)


def declarations() -> Iterator[tuple[str, OpenDataset]]:
    """(module label, declaration) for every dataset the installed modules declare."""
    for config in modules():
        if config.datasets:
            declared: Sequence[OpenDataset] = import_string(config.datasets)
            for dataset in declared:
                yield config.label, dataset


@dataclass(frozen=True)
class Produced:
    """A table's typed rows and its files, checked before anything is stored."""

    table: OpenTable
    rows: list[dict[str, Any]]
    files: dict[str, str | bytes]  # format -> content (bytes for Parquet)


def produce(declaration: OpenDataset) -> list[Produced]:
    """Run the producers and write the files; raises ``BadValue`` on an ill-typed value."""
    produced = []
    for table in declaration.tables:
        rows, geometries = tables.typed_rows(table)
        files: dict[str, str | bytes] = {"CSV": tables.as_csv(table, rows),
                                         "JSON": tables.as_json(rows)}
        if table.geometry:
            files["GeoJSON"] = tables.as_geojson(rows, geometries)
        if len(rows) >= tables.PARQUET_MIN_ROWS and tables.parquet_available():
            files["Parquet"] = tables.as_parquet(table, rows)
        produced.append(Produced(table, rows, files))
    return produced


def _dataset(module: str, declaration: OpenDataset) -> Dataset:
    """The catalogue record, created from the declaration the first time; the declaring
    module keeps its titles, theme and keywords current, staff keep the description."""
    dataset, created = Dataset.objects.get_or_create(name=declaration.name, defaults={
        "title": declaration.title, "title_en": declaration.title_en,
        "description": declaration.description,
        "description_en": declaration.description_en,
        "publisher": declaration.publisher, "theme": declaration.theme,
        "keywords": list(declaration.keywords), "frequency": declaration.frequency,
        "resolution_835": declaration.resolution_835, "source_module": module})
    if not created:
        for name, value in (("title", declaration.title), ("title_en", declaration.title_en),
                            ("publisher", declaration.publisher),
                            ("theme", declaration.theme),
                            ("keywords", list(declaration.keywords)),
                            ("frequency", declaration.frequency),
                            ("resolution_835", declaration.resolution_835),
                            ("source_module", module)):
            setattr(dataset, name, value)
    return dataset


def _lineage(module: str, table: OpenTable) -> str:
    produce = table.produce
    return f"{module}: {produce.__module__}.{produce.__qualname__}"


def do_publish(module: str, declaration: OpenDataset, produced: list[Produced],
               started: datetime | None = None) -> Version | None:
    """Store ``produced`` as the dataset's next version, unless nothing changed or the
    dataset is withdrawn. The files, the datastore rows and the version change together.
    The dataset is fresh again unless an event marked it stale after ``started`` (when its
    producers began reading)."""
    now = timezone.now()
    checksums = {f"{item.table.name}.{fmt.lower()}": tables.checksum(content)
                 for item in produced for fmt, content in item.files.items()}
    with transaction.atomic():
        dataset = _dataset(module, declaration)
        if dataset.stale_since is not None and dataset.stale_since <= (started or now):
            dataset.stale_since = None
        dataset.save()
        catalogue.index(dataset)
        if dataset.state == State.WITHDRAWN:
            return None
        latest = dataset.versions.first()
        if latest is not None and latest.checksums == checksums:
            return None
        kept = []
        for item in produced:
            schema = tables.table_schema(item.table)
            for fmt, content in item.files.items():
                resource, _created = Resource.objects.update_or_create(
                    dataset=dataset, table=item.table.name, format=fmt, defaults={
                        "title": item.table.title, "title_en": item.table.title_en,
                        "schema": schema,
                        "content": content if isinstance(content, str) else "",
                        "binary": content if isinstance(content, bytes) else None,
                        "size": len(content if isinstance(content, bytes)
                                    else content.encode("utf-8")), "rows": len(item.rows),
                        "checksum": checksums[f"{item.table.name}.{fmt.lower()}"],
                        "datastore": fmt == "CSV", "modified_at": now})
                kept.append(resource.pk)
                if fmt == "CSV":
                    _store_rows(resource, item.rows)
        dataset.resources.exclude(pk__in=kept).delete()
        catalogue.index(dataset)
        dataset.version += 1
        dataset.modified_at = now
        dataset.save(update_fields=["version", "modified_at"])
        rows = {item.table.name: len(item.rows) for item in produced}
        version = Version.objects.create(
            dataset=dataset, number=dataset.version, created_at=now, checksums=checksums,
            rows=rows,
            lineage={item.table.name: _lineage(module, item.table) for item in produced})
        bus.publish(DatasetPublished(name=dataset.name, version=version.number, rows=rows))
        return version


def _store_rows(resource: Resource, rows: list[dict[str, Any]]) -> None:
    """Replace the resource's datastore rows (inside the caller's transaction): COPY on
    PostgreSQL, one ``executemany`` elsewhere; the ORM's bulk_create costs more than the
    database's write of a big table."""
    Row.objects.filter(resource=resource).delete()
    table = Row._meta.db_table
    values = ((resource.pk, n, json.dumps(row, ensure_ascii=False),
               " ".join(str(value) for value in row.values() if value is not None).lower())
              for n, row in enumerate(rows, start=1))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = f"COPY {table} (resource_id, n, data, text) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for value in values:
                    copy.write_row(value)
        else:
            cursor.executemany(f"INSERT INTO {table} (resource_id, n, data, text) "
                               "VALUES (%s, %s, %s, %s)", list(values))


def stale_on() -> dict[str, list[str]]:
    """Event name -> the datasets it makes stale (``OpenDataset.stale_on``)."""
    events: dict[str, list[str]] = {}
    for _module, declaration in declarations():
        for event in declaration.stale_on:
            events.setdefault(event, []).append(declaration.name)
    return events


def mark_stale(event_name: str) -> list[str]:
    """Mark the datasets ``event_name`` changes as stale; returns those that were fresh
    until now (a regeneration is due for them; the others already wait for one)."""
    names = stale_on().get(event_name, [])
    fresh = list(Dataset.objects.filter(name__in=names, stale_since__isnull=True,
                                        state=State.PUBLISHED)
                 .values_list("name", flat=True))
    Dataset.objects.filter(name__in=fresh).update(stale_since=timezone.now())
    return fresh


def stale() -> list[str]:
    return list(Dataset.objects.filter(stale_since__isnull=False, state=State.PUBLISHED)
                .order_by("stale_since").values_list("name", flat=True))


def regenerate(names: Sequence[str] | None = None) -> dict[str, str]:
    """Regenerate every declared dataset (or those named): ``{name: outcome}`` where the
    outcome is ``version <n>``, ``unchanged``, ``withdrawn`` or ``failed: <why>``. One
    dataset's failure leaves its previous version published and the others go on."""
    outcomes = {}
    for module, declaration in declarations():
        if names is not None and declaration.name not in names:
            continue
        started = timezone.now()
        try:
            produced = produce(declaration)
        except tables.BadValue as error:
            log.warning("opendata: %s not regenerated: %s", declaration.name, error)
            outcomes[declaration.name] = f"failed: {error}"
            continue
        version = do_publish(module, declaration, produced, started)
        if version is not None:
            outcomes[declaration.name] = f"version {version.number}"
        elif Dataset.objects.filter(name=declaration.name, state=State.WITHDRAWN).exists():
            outcomes[declaration.name] = "withdrawn"
        else:
            outcomes[declaration.name] = "unchanged"
    return outcomes
