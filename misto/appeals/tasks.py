"""Background jobs of the e-reception."""

from misto.appeals import services
from misto.core.tasks import task


@task()
def watch_deadlines() -> int:
    """Escalate appeals past their deadline, once (every 10 minutes)."""
    return services.mark_overdue()
