"""Background jobs of the reports module."""

from misto.core.tasks import task
from misto.reports import services


@task()
def escalate_overdue() -> int:
    """Escalate open reports past their target time (run every few minutes)."""
    return services.escalate_overdue()
