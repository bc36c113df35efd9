"""CKAN's DataStore over the published rows: ``datastore_search`` with CKAN's parameters
(filters, q, fields, sort, limit, offset), and the read-only subset of
``datastore_search_sql`` that is translated into the same search (no SQL reaches the
database: a statement that is not one plain SELECT over one published table is refused)."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from misto.opendata.errors import CkanCode, CkanError
from misto.opendata.models import Resource, Row, State

MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max default
DEFAULT_LIMIT = 100


def datastore_resource(resource_id: str) -> Resource:
    resource = (Resource.objects.filter(
        pk=int(resource_id) if resource_id.isdigit() else -1, datastore=True,
        dataset__state=State.PUBLISHED).defer("content", "binary").order_by().first())
    if resource is None:
        raise CkanError(CkanCode.NOT_FOUND, _("Resource \"%(id)s\" was not found.")
                        % {"id": resource_id})
    return resource


@dataclass
class Query:
    resource_id: str
    filters: dict[str, Any] = field(default_factory=dict)
    q: str = ""
    fields: list[str] | None = None
    sort: list[tuple[str, bool]] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    # CKAN's include_total: false skips counting the matches (a filter over a big table
    # then reads only up to its page).
    include_total: bool = True


def _columns(resource: Resource) -> list[dict[str, Any]]:
    return list(resource.schema.get("fields", []))


def _check_names(names: list[str], known: set[str], what: str) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CkanError(CkanCode.VALIDATION, _("Unknown field(s): %(names)s")
                        % {"names": ", ".join(unknown)}, field=what)


def search(query: Query, resource: Resource | None = None) -> dict[str, Any]:
    """The result dict of CKAN's ``datastore_search`` (over ``resource`` when the caller
    already has it)."""
    if resource is None or str(resource.pk) != query.resource_id:
        resource = datastore_resource(query.resource_id)
    columns = _columns(resource)
    known = {column["name"] for column in columns}
    _check_names(list(query.filters), known, "filters")
    _check_names(query.fields or [], known, "fields")
    _check_names([name for name, _descending in query.sort], known, "sort")
    if not 0 <= query.limit <= MAX_LIMIT:
        raise CkanError(CkanCode.VALIDATION, _("Must be between 0 and %(max)d.")
                        % {"max": MAX_LIMIT}, field="limit")
    if query.offset < 0:
        raise CkanError(CkanCode.VALIDATION, _("Must be 0 or more."), field="offset")
    rows: QuerySet[Row] = Row.objects.filter(resource=resource)
    types = {column["name"]: column["type"] for column in columns}
    for name, value in query.filters.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, dict | list) for item in values):
            raise CkanError(CkanCode.VALIDATION, _("A filter's value is a value or a list."),
                            field="filters")
        wanted = [_coerce(types[name], item) for item in values]
        if connection.vendor == "postgresql":  # containment: the rows' GIN index answers
            rows = rows.filter(reduce(operator.or_, (Q(data__contains={name: item})
                                                     for item in wanted), Q(pk__in=[])))
        else:
            rows = rows.filter(**{f"data__{name}__in": wanted})
    for word in query.q.lower().split():
        rows = rows.filter(text__contains=word)
    order = [F(f"data__{name}").desc(nulls_last=True) if descending
             else F(f"data__{name}").asc(nulls_first=True) for name, descending in query.sort]
    # Without filters or words the total is the row count stored with the rows.
    total = (rows.count() if query.filters or query.q.split() else resource.rows) \
        if query.include_total else None
    if query.filters or query.q.split() or query.sort:
        page = rows.order_by(*order, "n")[query.offset:query.offset + query.limit]
    else:  # rows are numbered 1..total: a page is a range of the (resource, n) index
        page = rows.filter(n__gt=query.offset,
                           n__lte=query.offset + query.limit).order_by("n")
    shown = query.fields or [column["name"] for column in columns]
    records = [{"_id": row.n, **{name: row.data.get(name) for name in shown}} for row in page]
    fields = [{"id": "_id", "type": "int"}] + [
        {"id": column["name"], "type": _CKAN_TYPES.get(column["type"], "text"),
         "info": {"label": column.get("title", ""), "notes": column.get("description", ""),
                  "unit": column.get("unit", "")}}
        for column in columns if column["name"] in shown]
    result = {"resource_id": str(resource.pk), "fields": fields, "records": records,
              "limit": query.limit, "offset": query.offset, "include_total": query.include_total,
              "_links": {"start": f"/api/3/action/datastore_search?resource_id={resource.pk}"}}
    if total is not None:
        result["total"] = total
    return result


def _coerce(kind: str, value: Any) -> Any:
    """A filter value from a query string ("5") as the column's type (5), as CKAN's
    PostgreSQL datastore compares them."""
    if not isinstance(value, str) or kind not in ("integer", "number", "boolean"):
        return value
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        raise CkanError(CkanCode.VALIDATION, _("%(value)s is not a %(type)s.")
                        % {"value": value[:40], "type": kind}, field="filters") from None
    if value.lower() not in ("true", "false"):
        raise CkanError(CkanCode.VALIDATION, _("%(value)s is not a %(type)s.")
                        % {"value": value[:40], "type": kind}, field="filters")
    return value.lower() == "true"


# Frictionless type -> the DataStore (PostgreSQL) type CKAN reports.
_CKAN_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool",
               "date": "date", "datetime": "timestamp"}

_SELECT = re.compile(
    r"""^\s*SELECT\s+(?P<columns>\*|"?\w+"?(?:\s*,\s*"?\w+"?)*)\s+
        FROM\s+"(?P<table>\d+)"
        (?:\s+WHERE\s+(?P<where>"?\w+"?\s*=\s*(?:'[^';]*'|-?\d+(?:\.\d+)?)
            (?:\s+AND\s+"?\w+"?\s*=\s*(?:'[^';]*'|-?\d+(?:\.\d+)?))*))?
        (?:\s+ORDER\s+BY\s+(?P<order>"?\w+"?(?:\s+(?:ASC|DESC))?))?
        (?:\s+LIMIT\s+(?P<limit>\d+))?
        (?:\s+OFFSET\s+(?P<offset>\d+))?\s*$""",
    re.IGNORECASE | re.VERBOSE)
_CONDITION = re.compile(r"""\s*"?(\w+)"?\s*=\s*('[^']*'|-?\d+(?:\.\d+)?)\s*""")


def parse_sql(sql: str) -> Query:
    """The one statement ``datastore_search_sql`` accepts, as a search:
    ``SELECT * | col, ... FROM "<resource id>" [WHERE col = value [AND ...]]
    [ORDER BY col [ASC|DESC]] [LIMIT n] [OFFSET n]``. Anything else (another verb, a second
    statement, a function, a join, a sub-query) is refused with the reason."""
    if ";" in sql.strip().rstrip(";"):
        raise CkanError(CkanCode.VALIDATION, _("Only one statement is allowed."), field="sql")
    if not re.match(r"^\s*SELECT\b", sql, re.IGNORECASE):
        raise CkanError(CkanCode.VALIDATION, _("Only a read-only SELECT is allowed."),
                        field="sql")
    if re.search(r"\bpg_\w*|\(", sql, re.IGNORECASE):
        raise CkanError(CkanCode.VALIDATION, _("Functions are not allowed."), field="sql")
    match = _SELECT.match(sql.strip().rstrip(";"))
    if match is None:
        raise CkanError(CkanCode.VALIDATION, _(
            'Only SELECT columns FROM "resource id" [WHERE column = value [AND ...]] '
            "[ORDER BY column [ASC|DESC]] [LIMIT n] [OFFSET n] is supported."), field="sql")
    columns = match["columns"].strip()
    filters: dict[str, Any] = {}
    conditions = re.split(r"\s+AND\s+", match["where"], flags=re.IGNORECASE) \
        if match["where"] else []
    for condition in conditions:
        matched = _CONDITION.fullmatch(condition)
        if matched is None:  # the statement's pattern admits only these conditions
            raise CkanError(CkanCode.VALIDATION, _("Cannot read the condition %(c)s.")
                            % {"c": condition}, field="sql")
        name, raw = matched.groups()
        filters[name] = raw[1:-1] if raw.startswith("'") else (
            float(raw) if "." in raw else int(raw))
    sort = []
    if match["order"]:
        name, *direction = match["order"].replace('"', "").split()
        sort.append((name, bool(direction) and direction[0].upper() == "DESC"))
    return Query(resource_id=match["table"], filters=filters,
                 fields=None if columns == "*"
                 else [name.strip().strip('"') for name in columns.split(",")],
                 sort=sort, limit=min(int(match["limit"] or DEFAULT_LIMIT), MAX_LIMIT),
                 offset=int(match["offset"] or 0))
