"""Reports' domain operations, one file per concept: plain functions that the pages, the JSON
API, Open311, the contact centre's page, tasks and commands call.

Checks come first (``check_*``, ``resolve_*``: they raise :class:`ReportError` and write
nothing); then one transaction writes the change, its history line and its domain event
(the outbox), so a report never exists half-written and never changes silently.

The concepts, each in its own file (a file imports only those listed before it):
``catalogue`` (the category tree in memory, checked against the database on each use);
``categories``; ``location`` (places and spatial queries); ``attributes`` (the category's
questions); ``reading`` (public lists, one report, summaries); ``submission`` (check and
create); ``following`` (followers, with or without an account); ``queue`` (staff work:
scopes, status, assignment, duplicates, moderation, escalation); ``apikeys`` (Open311 keys).
This package re-exports the names the rest of the code uses, so callers keep writing
``services.submit(...)`` whatever file a function lives in.
"""

from __future__ import annotations

from misto.reports.services.apikeys import check_api_key, create_api_key
from misto.reports.services.categories import (
    access_category,
    category_title,
    find_category,
    get_category,
    leaf_categories,
    localized,
    match_categories,
)
from misto.reports.services.following import (
    UpdatesContact,
    ask_to_follow,
    check_updates_contact,
    confirm_follow,
    follow,
)
from misto.reports.services.location import check_bbox, in_bbox, nearby_open, resolve_place
from misto.reports.services.queue import (
    TRANSITIONS,
    assign,
    can_handle,
    can_moderate,
    can_take_calls,
    change_status,
    escalate_overdue,
    handling_departments,
    mark_duplicate,
    moderate,
    queue_for,
    resolve_from_incident,
)
from misto.reports.services.reading import (
    Filters,
    MapPoints,
    access_photo,
    access_report,
    answer_labels,
    history,
    map_points,
    public_reports,
    report_summary,
    report_url,
)
from misto.reports.services.submission import (
    IDEMPOTENCY_KEY,
    Submission,
    check_idempotency_key,
    submit,
)

__all__ = [
    "IDEMPOTENCY_KEY",
    "TRANSITIONS",
    "Filters",
    "MapPoints",
    "Submission",
    "UpdatesContact",
    "access_category",
    "access_photo",
    "access_report",
    "answer_labels",
    "ask_to_follow",
    "assign",
    "can_handle",
    "can_moderate",
    "can_take_calls",
    "category_title",
    "change_status",
    "check_api_key",
    "check_bbox",
    "check_idempotency_key",
    "check_updates_contact",
    "confirm_follow",
    "create_api_key",
    "escalate_overdue",
    "find_category",
    "follow",
    "get_category",
    "handling_departments",
    "history",
    "in_bbox",
    "leaf_categories",
    "localized",
    "map_points",
    "mark_duplicate",
    "match_categories",
    "moderate",
    "nearby_open",
    "public_reports",
    "queue_for",
    "report_summary",
    "report_url",
    "resolve_from_incident",
    "resolve_place",
    "submit",
]
