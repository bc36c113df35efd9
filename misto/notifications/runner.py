"""The notifications worker loop (a module runner: ``misto serve`` / ``misto worker``).

Each round: publish scheduled announcements that are due, run unfinished fan-outs (each
goes on with the parts not yet committed, so a killed worker loses nothing), then send due channel
deliveries within the rate limits. Idle rounds sleep ``MISTO_NOTIFY_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from misto.notifications import channels, conf, services

logger = logging.getLogger(__name__)


def run_once(stop: threading.Event | None = None) -> int:
    work = services.publish_due()
    work += services.run_pending_fanouts(stop)
    work += channels.deliver_due()
    return work


def run(stop: threading.Event) -> None:
    while not stop.is_set():
        work = 0
        try:
            work = run_once(stop)
        except Exception:
            logger.exception("notifications round failed; retrying")
            stop.wait(5)
        finally:
            close_old_connections()
        if not work:
            stop.wait(conf.poll_seconds())
