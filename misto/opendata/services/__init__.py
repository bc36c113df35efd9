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
from misto.opendata.services.publishing import declarations, regenerate

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
    "published",
    "regenerate",
    "republish",
    "requests_since",
    "search",
    "values_of",
    "withdraw",
]
