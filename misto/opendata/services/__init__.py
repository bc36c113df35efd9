"""The open-data module's services, one file per concept (see docs/opendata.md)."""

from misto.opendata.services.catalogue import (
    Description,
    Search,
    access_dataset,
    access_resource,
    check_description,
    count_download,
    count_request,
    do_describe,
    facet_values,
    published,
    republish,
    requests_since,
    search,
    values_of,
    withdraw,
)
from misto.opendata.services.publishing import declarations, mark_stale, regenerate, stale, stale_on

__all__ = [
    "Description",
    "Search",
    "access_dataset",
    "access_resource",
    "check_description",
    "count_download",
    "count_request",
    "declarations",
    "do_describe",
    "facet_values",
    "mark_stale",
    "published",
    "regenerate",
    "republish",
    "requests_since",
    "search",
    "stale",
    "stale_on",
    "values_of",
    "withdraw",
]
