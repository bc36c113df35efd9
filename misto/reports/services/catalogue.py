"""The category tree in memory: leaves by code, their questions, district routes.

Every submission needs its category (an active leaf), the category's questions and the
department that handles it in the district. Read through the ORM, that was three queries
whose compilation (a subquery and three joins for the leaf) cost more than the database's
answer, on every report. Here the whole tree (categories, departments, questions, routes:
tens to hundreds of rows that change rarely) is loaded once per process and reused while
the tree's stamp stays the same: one row that the database's own triggers give a new
random value in the transaction of every statement that changes the tree (migration 0006;
it replaced a hash of every row, which cost a tenth of a submission). The stamp is read in
the caller's transaction, so a change, committed or the caller's own, is seen at once, and
a rolled-back one is forgotten with it: there is nothing to invalidate.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection

from misto.reports.models import Attribute, Category, CategoryRoute, Department


@dataclass(frozen=True)
class Catalogue:
    """One state of the tree; shared by threads, never changed once built."""

    stamp: str | None
    categories: dict[int, Category] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)
    leaves: dict[str, Category] = field(default_factory=dict)
    questions: dict[int, list[Attribute]] = field(default_factory=dict)
    routes: dict[tuple[int, str], int] = field(default_factory=dict)


def _stamp() -> str | None:
    """The tree's stamp in this database, or None when the stamp row is missing (an
    emptied database): then nothing can be told apart and nothing is reused."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT stamp FROM reports_cataloguestamp WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    return f"{connection.alias}:{connection.settings_dict['NAME']}:{row[0]}"


def _load(stamp: str | None) -> Catalogue:
    found = Catalogue(stamp)
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
    questions and its route against the same tree, with one stamp query instead of
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
    stamp = _stamp()
    current = _current
    if stamp is None:
        return _load(None)
    if current is None or current.stamp != stamp:
        with _lock:
            current = _load(stamp)
            _current = current
    return current
