"""The catalogue as people and harvesters see it: access, search with facets, the staff's
description and withdrawal (the record stays, with the reason), download counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.permissions import can
from misto.opendata.errors import OpendataCode, OpendataError
from misto.opendata.events import DatasetWithdrawn
from misto.opendata.models import Dataset, Facet, Requests, Resource, Service, State

FACETS = ("tags", "organization", "groups", "res_format", "license_id")


def access_dataset(user: Any, name: str, action: str | None = None) -> Dataset:
    """The dataset called ``name`` (withdrawn ones too: their page says why), checked for
    ``action``; the same NOT_FOUND whether it is missing or the action is not allowed."""
    dataset = Dataset.objects.filter(name=name).first()
    if dataset is None or (action is not None and not can(user, action, dataset)):
        raise OpendataError(OpendataCode.NOT_FOUND, _("There is no such dataset."))
    return dataset


def access_resource(dataset: Dataset, table: str, extension: str) -> Resource:
    """The file (with its content) of ``table`` in the format of ``extension``."""
    for resource in described(dataset):
        if resource.table == table and resource.extension == extension.lower():
            return Resource.objects.get(pk=resource.pk)
    raise OpendataError(OpendataCode.NOT_FOUND, _("There is no such file."))


def without_content() -> Prefetch:
    """Datasets' resources as the catalogue shows them: everything but the file itself
    (a big table's file is hundreds of megabytes; only a download reads it)."""
    return Prefetch("resources", queryset=Resource.objects.defer("content", "binary"))


def described(dataset: Dataset) -> list[Resource]:
    """``dataset``'s resources without their content (the prefetched ones if any)."""
    cache = getattr(dataset, "_prefetched_objects_cache", {})
    if "resources" in cache:
        return list(cache["resources"])
    return list(dataset.resources.defer("content", "binary"))


def published() -> QuerySet[Dataset]:
    return Dataset.objects.filter(state=State.PUBLISHED).prefetch_related(without_content())


@dataclass
class Search:
    """What a search asks: words, exact facet values, order, a page."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start: int = 0
    rows: int = 10


def facet_values(dataset: Dataset) -> dict[str, list[str]]:
    """A dataset's value(s) for each CKAN facet."""
    return {"tags": list(dataset.keywords), "organization": [dataset.publisher],
            "groups": [dataset.theme.lower()], "license_id": [dataset.licence],
            "res_format": sorted({resource.format for resource in described(dataset)})}


def search_text(dataset: Dataset) -> str:
    """What words match, case-folded in Python: SQLite's LIKE folds only ASCII, and the
    titles are Ukrainian."""
    return " ".join([dataset.name, dataset.title, dataset.title_en, dataset.description,
                     dataset.description_en, *dataset.keywords]).casefold()


def index(dataset: Dataset) -> None:
    """Refresh what search reads of ``dataset`` (its words and facet values); called
    whenever its description, declaration or files change."""
    text = search_text(dataset)
    if text != dataset.search_text:
        dataset.search_text = text
        Dataset.objects.filter(pk=dataset.pk).update(search_text=text)
    wanted = {(key, value[:200]) for key, values in facet_values(dataset).items()
              for value in values}
    have = set(dataset.facets.values_list("key", "value"))
    for key, value in have - wanted:
        dataset.facets.filter(key=key, value=value).delete()
    Facet.objects.bulk_create([Facet(dataset=dataset, key=key, value=value)
                               for key, value in sorted(wanted - have)])


SORTABLE = {"name": "name", "title_string": "title", "metadata_modified": "modified_at",
            "metadata_created": "created_at"}


def search(query: Search) -> tuple[int, list[Dataset], dict[str, dict[str, int]]]:
    """(count, the page of published datasets, facet counts over all the matches).

    Words match names, titles, descriptions and keywords in either language, whatever the
    case (each word against the case-folded ``search_text``); facet filters are exact (an
    EXISTS over ``Facet`` per key, any of its values). All in SQL: the page, the count and
    the facet counts are three queries whatever the catalogue's size."""
    matches = Dataset.objects.filter(state=State.PUBLISHED)
    for word in query.q.casefold().split():
        matches = matches.filter(search_text__contains=word)
    for key, values in query.filters.items():
        matches = matches.filter(Exists(Facet.objects.filter(
            dataset=OuterRef("pk"), key=key, value__in=values)))
    order = [("-" if descending else "") + SORTABLE[name] for name, descending in query.sort]
    count = matches.count()
    page = list(matches.order_by(*order, "name").prefetch_related(without_content())
                [query.start:query.start + query.rows]) if query.rows else []
    facets: dict[str, dict[str, int]] = {key: {} for key in FACETS}
    for key, value, n in (Facet.objects.filter(dataset__in=matches.values("pk"))
                          .values_list("key", "value").annotate(n=Count("pk"))
                          .order_by("key", "-n", "value")):
        facets[key][value] = n
    return count, page, facets


def values_of(key: str, query: str = "") -> list[tuple[str, int]]:
    """The values of facet ``key`` over published datasets with their dataset counts
    (``organization_list``, ``group_list``, ``tag_list``), in SQL."""
    values = (Facet.objects.filter(key=key, dataset__state=State.PUBLISHED)
              .values_list("value").annotate(n=Count("pk")).order_by("value"))
    # The distinct values are few: folded in Python (SQLite's LIKE folds only ASCII).
    return [(value, n) for value, n in values if query.casefold() in value.casefold()]


def count_download(resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).update(downloads=F("downloads") + 1)
    count_request(Service.DOWNLOAD)


def count_request(service: str) -> None:
    """One more request to ``service`` today (KPI 4.2 #2: requests to open-data services)."""
    today = timezone.localdate()
    if Requests.objects.filter(day=today, service=service).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            Requests.objects.create(day=today, service=service, count=1)
    except IntegrityError:  # another request created today's row first
        Requests.objects.filter(day=today, service=service).update(count=F("count") + 1)


def requests_since(days: int) -> int:
    """Requests to the open-data services over the last ``days`` days."""
    since = timezone.localdate() - timedelta(days=days - 1)
    return Requests.objects.filter(day__gte=since).aggregate(total=Sum("count"))["total"] or 0


@dataclass(frozen=True)
class Description:
    """What staff may say about a dataset, checked."""

    description: str
    description_en: str
    contact_name: str
    contact_email: str
    spatial: str
    temporal_start: date | None
    temporal_end: date | None


def check_description(data: dict[str, Any]) -> Description:
    """The description form's fields, checked; raises INVALID naming the field."""
    def text(name: str, limit: int) -> str:
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            raise OpendataError(OpendataCode.INVALID,
                                _("At most %(n)d characters.") % {"n": limit}, field=name)
        return value

    def day(name: str) -> date | None:
        value = text(name, 10)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise OpendataError(OpendataCode.INVALID, _("A date like 2026-01-31."),
                                field=name) from None

    email = text("contact_email", 254)
    if email and ("@" not in email or " " in email):
        raise OpendataError(OpendataCode.INVALID, _("An e-mail address."), field="contact_email")
    start, end = day("temporal_start"), day("temporal_end")
    if start and end and end < start:
        raise OpendataError(OpendataCode.INVALID, _("The end comes before the start."),
                            field="temporal_end")
    return Description(text("description", 5000), text("description_en", 5000),
                       text("contact_name", 200), email, text("spatial", 200), start, end)


def do_describe(dataset: Dataset, description: Description) -> None:
    for name, value in description.__dict__.items():
        setattr(dataset, name, value)
    dataset.save()
    index(dataset)


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OpendataError(OpendataCode.INVALID, _("Say why."), field="reason")
    if len(reason) > 1000:
        raise OpendataError(OpendataCode.INVALID, _("At most %(n)d characters.") % {"n": 1000},
                            field="reason")
    return reason


def withdraw(dataset: Dataset, reason: str) -> None:
    """Take the dataset out of search, listing and harvesting; its page stays, with why."""
    reason = check_reason(reason)
    if dataset.state == State.WITHDRAWN:
        raise OpendataError(OpendataCode.WITHDRAWN, _("The dataset is already withdrawn."))
    with transaction.atomic():
        dataset.state = State.WITHDRAWN
        dataset.withdrawn_reason = reason
        dataset.withdrawn_at = timezone.now()
        dataset.save(update_fields=["state", "withdrawn_reason", "withdrawn_at"])
        bus.publish(DatasetWithdrawn(name=dataset.name, reason=reason))


def republish(dataset: Dataset) -> None:
    """Publish a withdrawn dataset again (the next regeneration refreshes its data)."""
    if dataset.state != State.WITHDRAWN:
        raise OpendataError(OpendataCode.INVALID, _("The dataset is published."))
    dataset.state = State.PUBLISHED
    dataset.save(update_fields=["state"])
