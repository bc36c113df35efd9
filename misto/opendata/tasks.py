"""Background jobs of the open-data module."""

from misto.core.tasks import task
from misto.opendata import services


@task()
def regenerate() -> dict[str, str]:
    """Regenerate every declared dataset (hourly); unchanged data makes no new version."""
    return services.regenerate()


@task()
def regenerate_stale() -> dict[str, str]:
    """Regenerate the datasets the modules' events marked stale (queued by the handler)."""
    names = services.stale()
    return services.regenerate(names) if names else {}
