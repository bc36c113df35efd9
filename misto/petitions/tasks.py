"""Background jobs of the petitions module."""

from misto.core.tasks import task
from misto.petitions import services


@task()
def watch_deadlines() -> dict[str, int]:
    """Close petitions whose collection ended, mark answers that are late, archive settled
    petitions (every 10 min)."""
    return {"closed": services.close_expired(), "overdue": services.mark_overdue(),
            "archived": services.archive_settled()}
