"""The departments' and the statuses' names, for other modules' pages
(``MistoModule.department_names``, ``code_names``): a device or an incident holds a
department code or a report's status, and people read its name."""

from __future__ import annotations

from typing import Any

from misto.reports.models import Department, Status


def department_names() -> dict[str, Department]:
    return {department.code: department for department in Department.objects.all()}


def status_names() -> dict[str, dict[str, Any]]:
    """A report's status -> its name (the catalogue's, in the reader's language)."""
    return {status.value: {"name": status.label} for status in Status}
