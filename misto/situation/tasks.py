"""Background jobs of the situation centre."""

from misto.core.tasks import task
from misto.situation import services


@task()
def prune_changes() -> int:
    """The live stream's change log only needs the last day."""
    return services.prune_changes()
