"""The background side of a Misto process: event delivery, tasks, schedules, runners.

``misto serve`` starts these as threads beside the ASGI server (the embedded default);
``misto worker`` runs them alone, so a city can scale each part out as its own process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from misto.core import outbox
from misto.core.models import ScheduledRun
from misto.core.registry import Periodic, modules
from misto.core.transport import get_transport

logger = logging.getLogger(__name__)

COMPONENTS = ("events", "tasks", "scheduler", "runners")
SCHEDULER_TICK_SECONDS = 15.0


def slot_of(job: Periodic, now: datetime) -> datetime:
    """The start of the period ``now`` falls in; one run per job and slot, city-wide."""
    period = job.every.total_seconds()
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % period, tz=UTC)


def enqueue_due_jobs(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot nobody has claimed yet."""
    now = now or timezone.now()
    enqueued = []
    for config in modules():
        for job in config.schedules:
            try:
                with transaction.atomic():
                    ScheduledRun.objects.create(job=job.name, slot=slot_of(job, now))
                    import_string(job.task).enqueue()
            except IntegrityError:
                continue  # another process has this slot
            enqueued.append(job.name)
    return enqueued


def run_scheduler(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            enqueue_due_jobs()
        except Exception:
            logger.exception("scheduler tick failed")
        close_old_connections()
        stop.wait(SCHEDULER_TICK_SECONDS)


def run_tasks(stop: threading.Event) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"], interval=1.0, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=f"misto-{threading.get_ident()}",
        excluded_queue_names=[],
    )

    def stop_when_asked() -> None:
        stop.wait()
        worker.running = False

    threading.Thread(target=stop_when_asked, daemon=True).start()
    worker.run()


def run_events(stop: threading.Event) -> None:
    get_transport().run(stop)


def _targets(components: set[str]) -> list[tuple[str, Callable[[threading.Event], None]]]:
    targets: list[tuple[str, Callable[[threading.Event], None]]] = []
    if "events" in components:
        targets.append(("events", run_events))
    if "tasks" in components:
        targets.append(("tasks", run_tasks))
    if "scheduler" in components:
        targets.append(("scheduler", run_scheduler))
    if "runners" in components:
        for config in modules():
            targets.extend((runner, import_string(runner)) for runner in config.runners)
    return targets


class Background:
    """The background threads of one process; ``stop()`` asks them all to finish."""

    def __init__(self, components: set[str]) -> None:
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(target=self._guard, args=(name, target), name=name, daemon=True)
            for name, target in _targets(components)
        ]

    def _guard(self, name: str, target: Callable[[threading.Event], None]) -> None:
        outbox.INLINE_DELIVERY.set(False)  # this thread's events go to the event worker
        while not self.stop_event.is_set():
            try:
                target(self.stop_event)
            except Exception:
                logger.exception("background %s crashed; restarting in 5 s", name)
            else:
                if not self.stop_event.is_set():
                    logger.warning("background %s returned; restarting in 5 s", name)
            finally:
                close_old_connections()
            self.stop_event.wait(5)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        logger.info("background started: %s", ", ".join(t.name for t in self.threads))

    def stop(self, timeout: float = 10) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)
