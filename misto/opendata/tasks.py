"""Background jobs of the open-data module."""

from misto.core.tasks import task
from misto.opendata import services


@task()
def regenerate() -> dict[str, str]:
    """Regenerate every declared dataset (hourly); unchanged data makes no new version."""
    return services.regenerate()
