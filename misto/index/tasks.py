"""Background jobs of the index."""

from django.utils import timezone

from misto.core.tasks import task
from misto.index import services


@task()
def compute_current() -> int:
    """Recompute this year, its current quarter and month (every 6 hours)."""
    today = timezone.localdate()
    services.ensure_loaded()
    codes = [str(today.year), f"{today.year}-Q{(today.month - 1) // 3 + 1}",
             f"{today.year}-{today.month:02d}"]
    return sum(services.compute(code).changed for code in codes)


@task()
def january_reminders() -> int:
    """Daily; in January, remind the departments of last year's missing values."""
    return services.remind()
