"""The ledger's signer: integrate new entries and sign a head within seconds of an append.

Why a runner and not only a schedule: the scheduler enqueues jobs on a coarse tick, while the
promise given with every receipt (``MISTO_LEDGER_MAX_MERGE_DELAY``) needs a head soon after
each append, under load too. ``misto serve`` and ``misto worker`` run :func:`run` beside the
web server; several processes may run it: signing takes the ledger's lock and signs nothing
when the tree has not grown, so they never sign twice for the same growth.
"""

from __future__ import annotations

import logging
import threading

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections

from misto.core.config import env_float
from misto.ledger import services

logger = logging.getLogger(__name__)


def sign_interval() -> float:
    """Seconds between two looks for new entries; must leave room in the promised delay."""
    interval = env_float("MISTO_LEDGER_SIGN_SECONDS", 10.0, minimum=0.1)
    if interval * 2 > services.max_merge_delay():
        raise ImproperlyConfigured(
            f"MISTO_LEDGER_SIGN_SECONDS={interval:g} leaves no room within "
            f"MISTO_LEDGER_MAX_MERGE_DELAY={services.max_merge_delay()}: sign at least twice "
            "per promised delay")
    return interval


def sign_pending() -> int | None:
    """Integrate what was appended and sign a head over it; the head's size, or None when
    nothing new was appended (and the last head is younger than a day)."""
    head = services.issue_head(force=False)
    return head.tree_size if head else None


def run(stop: threading.Event) -> None:
    """Sign every ``MISTO_LEDGER_SIGN_SECONDS`` until ``stop`` is set."""
    interval = sign_interval()
    while not stop.wait(interval):
        try:
            sign_pending()
        except Exception:  # a failed round is retried on the next; the log stays whole
            logger.exception("ledger: signing a tree head failed")
        finally:
            close_old_connections()
