"""The index's services by concept, re-exported for views, the API, tasks and commands."""

from misto.index.services.catalogue import (
    access_indicator,
    check_indicator,
    ensure_loaded,
    load,
)
from misto.index.services.composite import composite
from misto.index.services.computing import compute, compute_year, current, history
from misto.index.services.coverage import coverage, summary
from misto.index.services.entering import (
    access_for,
    check_entry,
    check_import,
    check_target,
    do_enter,
    do_import,
    do_set_target,
    enter,
    read_upload,
    set_target,
)
from misto.index.services.leadership import leadership
from misto.index.services.periods import parse
from misto.index.services.reminders import missing_entered, remind
from misto.index.services.reporting import access_report, generate, lines
from misto.index.services.sdmx import sdmx_csv

__all__ = [
    "access_for",
    "access_indicator",
    "access_report",
    "check_entry",
    "check_import",
    "check_indicator",
    "check_target",
    "composite",
    "compute",
    "compute_year",
    "coverage",
    "current",
    "do_enter",
    "do_import",
    "do_set_target",
    "ensure_loaded",
    "enter",
    "generate",
    "history",
    "leadership",
    "lines",
    "load",
    "missing_entered",
    "parse",
    "read_upload",
    "remind",
    "sdmx_csv",
    "set_target",
    "summary",
]
