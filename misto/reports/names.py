"""The departments' names, for other modules' pages (``MistoModule.department_names``):
a device or an incident holds a department code, and people read its name."""

from __future__ import annotations

from misto.reports.models import Department


def department_names() -> dict[str, Department]:
    return {department.code: department for department in Department.objects.all()}
