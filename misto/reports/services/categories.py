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
    CategoryRoute,
    Department,
)


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
    on its ``category`` field (saying that one is missing when none was given)."""
    if not str(code).strip():
        raise ReportError(ReportsCode.UNKNOWN_CATEGORY, _("Choose a category."),
                          field="category")
    category = _leaf(code)
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
    category, the first district route or department found. One query for the routes."""
    chain: list[Category] = []
    node: Category | None = category
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent
    routes: dict[int, Department] = {}
    if district:
        routes = {r.category_id: r.department for r in CategoryRoute.objects.filter(
            category__in=chain, district=district).select_related("department")}
    for node in chain:
        if node.pk in routes:
            return routes[node.pk]
        if node.department_id:
            return node.department
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
