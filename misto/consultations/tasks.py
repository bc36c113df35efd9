"""Background jobs of the consultations module."""

from misto.consultations import services
from misto.core.tasks import task


@task()
def close_due() -> dict[str, int]:
    """Close polls and comment periods whose time is up (every 5 min)."""
    return {"polls": services.close_due(), "hearings": services.close_due_hearings()}
