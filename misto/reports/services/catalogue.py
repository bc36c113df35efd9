"""The category tree in memory: leaves by code, their questions, district routes.

Every submission needs its category (an active leaf), the category's questions and the
department that handles it in the district. Read through the ORM, that was three queries
whose compilation (a subquery and three joins for the leaf) cost more than the database's
answer, on every report. Here the whole tree (categories, departments, questions, routes:
tens to hundreds of rows that change rarely) is loaded once per process and reused while
its fingerprint, a hash of every row computed by the database in one raw query, stays the
same. The fingerprint is read in the caller's transaction, so a change, committed or the
caller's own, is seen at once, and a rolled-back one is forgotten with it: there is
nothing to invalidate.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, models

from misto.reports.models import Attribute, Category, CategoryRoute, Department

_TABLES: tuple[type[models.Model], ...] = (Category, Department, Attribute, CategoryRoute)


@dataclass(frozen=True)
class Catalogue:
    """One state of the tree; shared by threads, never changed once built."""

    fingerprint: str
    categories: dict[int, Category] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)
    leaves: dict[str, Category] = field(default_factory=dict)
    questions: dict[int, list[Attribute]] = field(default_factory=dict)
    routes: dict[tuple[int, str], int] = field(default_factory=dict)


def _fingerprint_sql() -> str:
    if connection.vendor == "postgresql":
        parts = [f"(SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM "
                 f"{model._meta.db_table} t)" for model in _TABLES]
        return "SELECT concat_ws('|', " + ", ".join(parts) + ")"
    parts = []
    for model in _TABLES:
        columns = " || ',' || ".join(
            f"quote({connection.ops.quote_name(f.column)})"
            for f in model._meta.concrete_fields)
        parts.append(f"(SELECT group_concat({columns}, ';') FROM "
                     f"(SELECT * FROM {model._meta.db_table} ORDER BY id))")
    return "SELECT " + " || '|' || ".join(f"COALESCE({part}, '')" for part in parts)


def _fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        row = cursor.fetchone()
    text = f"{connection.alias}:{connection.settings_dict['NAME']}:{row[0] if row else ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def _load(fingerprint: str) -> Catalogue:
    found = Catalogue(fingerprint)
    found.departments.update((d.pk, d) for d in Department.objects.all())
    categories = list(Category.objects.all())
    found.categories.update((c.pk, c) for c in categories)
    for category in categories:  # the relations the callers follow, without a query
        parent = found.categories.get(category.parent_id) if category.parent_id else None
        category.parent = parent
        category.department = (found.departments.get(category.department_id)
                               if category.department_id else None)
    with_active_children = {c.parent_id for c in categories if c.active and c.parent_id}
    found.leaves.update((c.code, c) for c in categories
                        if c.active and c.pk not in with_active_children)
    for attribute in Attribute.objects.filter(variable=True).order_by("order", "pk"):
        found.questions.setdefault(attribute.category_id, []).append(attribute)
    found.routes.update(((r.category_id, r.district), r.department_id)
                        for r in CategoryRoute.objects.all())
    return found


_lock = threading.Lock()
_current: Catalogue | None = None


_held: contextvars.ContextVar[Catalogue | None] = contextvars.ContextVar(
    "misto_reports_catalogue", default=None)


@contextlib.contextmanager
def one_catalogue() -> Iterator[Catalogue]:
    """One state of the tree for the whole block: a submission checks its category, its
    questions and its route against the same tree, with one fingerprint query instead of
    one per look-up (the tree's own writes are not made inside such a block)."""
    held = _held.get()
    if held is not None:
        yield held
        return
    token = _held.set(catalogue())
    try:
        yield _held.get() or catalogue()
    finally:
        _held.reset(token)


def catalogue() -> Catalogue:
    """The tree as the database holds it now (one raw query while it is unchanged), or
    the one held by the current :func:`one_catalogue` block."""
    held = _held.get()
    if held is not None:
        return held
    global _current
    fingerprint = _fingerprint()
    current = _current
    if current is None or current.fingerprint != fingerprint:
        with _lock:
            current = _load(fingerprint)
            _current = current
    return current
