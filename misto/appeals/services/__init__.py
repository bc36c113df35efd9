"""The e-reception's services, one file per concept (see docs/appeals.md)."""

from misto.appeals.services.access import access_appeal, access_reception, own_appeals, queue_for
from misto.appeals.services.deadlines import deadline_of, mark_overdue, recompute_deadlines
from misto.appeals.services.handling import (
    answer,
    assign,
    extend,
    reply,
    request_information,
    write,
)
from misto.appeals.services.receiving import CheckedAppeal, check_appeal, register
from misto.appeals.services.stats import ReceptionStats, reception_stats

__all__ = [
    "CheckedAppeal",
    "ReceptionStats",
    "access_appeal",
    "access_reception",
    "answer",
    "assign",
    "check_appeal",
    "deadline_of",
    "extend",
    "mark_overdue",
    "own_appeals",
    "queue_for",
    "reception_stats",
    "recompute_deadlines",
    "register",
    "reply",
    "request_information",
    "write",
]
