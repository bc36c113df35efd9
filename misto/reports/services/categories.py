"""Categories: what a resident can choose, their titles in the reader's language, and which
department handles a category in a district. Every other concept reads categories through here.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import (
    Category,
    Department,
)
from misto.reports.services.catalogue import catalogue


def localized(uk: str, en: str) -> str:
    return en if (get_language() or "uk").startswith("en") and en else uk


def category_title(category: Category) -> str:
    return localized(category.title, category.title_en)


def leaf_categories() -> QuerySet[Category]:
    """The categories a resident can choose: active ones without active children."""
    return (Category.objects.filter(active=True)
            .exclude(children__active=True).select_related("parent", "department")
            .order_by("parent__order", "parent__title", "order", "title"))


def _leaf(code: str) -> Category | None:
    return (Category.objects.filter(code=str(code).strip(), active=True)
            .exclude(children__active=True)
            .select_related("department", "parent", "parent__department").first())


def _no_category(code: str) -> str:
    return _("There is no category “%(code)s”. Choose one of the listed services."
             ) % {"code": str(code)[:64]}


def get_category(code: str) -> Category:
    """The category a submission names: an active leaf, or the form's ``unknown_category``
    on its ``category`` field (saying that one is missing when none was given). Read from
    the tree in memory (``catalogue``), with its parent and departments."""
    if not str(code).strip():
        raise ReportError(ReportsCode.UNKNOWN_CATEGORY, _("Choose a category."),
                          field="category")
    category = catalogue().leaves.get(str(code).strip())
    if category is None:
        raise ReportError(ReportsCode.UNKNOWN_CATEGORY, _no_category(code), field="category")
    return category


def access_category(code: str) -> Category:
    """One service for reading (Open311's service definition): an active leaf, else a 404
    that is the same for a missing, retired or group code. The tree is public, so there is
    no permission to check; configuring it is the back office's (``reports.category.admin``).
    """
    category = _leaf(code)
    if category is None:
        raise ReportError(ReportsCode.NOT_FOUND, _no_category(code), status=404)
    return category


def find_category(text: str) -> str:
    """A category code from what an operator typed: the code, or a title in either language
    (case-insensitive). Returns the text unchanged when nothing matches."""
    text = (text or "").strip()
    if not text or Category.objects.filter(code=text).exists():
        return text
    folded = text.casefold()
    for category in leaf_categories():
        if folded in (category.title.casefold(), category.title_en.casefold()):
            return category.code
    return text


def route(category: Category, district: str) -> Department | None:
    """The department that handles ``category`` in ``district``: walking up from the
    category, the first district route or department found (from the tree in memory)."""
    tree = catalogue()
    node = tree.categories.get(category.pk)
    for _step in range(10):
        if node is None:
            return None
        routed = tree.routes.get((node.pk, district)) if district else None
        if routed is not None:
            return tree.departments.get(routed)
        if node.department_id:
            return tree.departments.get(node.department_id)
        node = tree.categories.get(node.parent_id) if node.parent_id else None
    return None


def match_categories(text: str, limit: int = 8) -> list[Category]:
    """The categories an operator may mean by part of a name ("яма"): the leaves whose title
    in either language, code or keywords contain ``text`` (case-insensitive), those whose
    title starts with it first. Empty for an empty text."""
    folded = (text or "").strip().casefold()
    if not folded:
        return []
    found = [category for category in leaf_categories()
             if any(folded in name.casefold() for name in (
                 category.title, category.title_en, category.code, category.keywords))]
    found.sort(key=lambda category: not any(
        name.casefold().startswith(folded) for name in (category.title, category.title_en)))
    return found[:limit]
