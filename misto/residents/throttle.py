"""Throttles: failed sign-ins per (user, client address), code requests per contact and address.

Why not django-axes: axes deletes a (user, address) record as soon as its cool-off ends, so
the next lock-out can never be longer than the first one, and its records keep user names,
client addresses and request bodies in clear text. Here a failure is remembered for a day
(``Rule.window``) while each lock-out after the limit doubles (``Rule.base_lock``, capped at
``Rule.max_lock``), and rows are keyed by an HMAC, so the table holds nobody's name.

Keyed by user *and* client address: an anonymous attacker who types a clerk's user name
five times locks out only their own address, not the clerk at the office.

A request takes its ticket *before* the slow password check (:func:`take`), so parallel
guesses are all counted; a successful sign-in then clears the row (:func:`reset`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from misto.core import ratelimit
from misto.residents.models import Throttle

KEY_SALT = "misto.residents.throttle"


@dataclass(frozen=True)
class Rule:
    """``limit`` events per ``window``; past the limit a lock-out that grows, or none."""

    scope: str
    limit: int
    window: timedelta
    base_lock: timedelta | None = None  # None: refused until the window ends
    max_lock: timedelta = timedelta(hours=1)

    def lock_after(self, count: int) -> timedelta | None:
        """How long the ``count``-th event locks the key (None while under the limit)."""
        if count < self.limit:
            return None
        if self.base_lock is None:
            return self.window
        return min(self.base_lock * 2 ** min(count - self.limit, 20), self.max_lock)


# Password (+ TOTP) sign-in: 5 failures from one address lock that user there for 1 minute,
# each further failure doubles it (2, 4, ... 60 minutes); failures are forgotten after a day.
SIGNIN = Rule("signin", limit=5, window=timedelta(days=1), base_lock=timedelta(minutes=1))
# One address trying many user names (password spraying): 50 failures over all names lock
# the address the same growing way. Only failures count here, so a busy office is not hit.
SIGNIN_CLIENT = Rule("signin-client", limit=50, window=timedelta(days=1),
                     base_lock=timedelta(minutes=1))


def client_address(request: HttpRequest | None) -> str:
    """The client's address as every limit in Misto counts it (``MISTO_PROXY_COUNT``,
    an IPv6 /64 as one client); "" when authentication runs without a request."""
    return "" if request is None else ratelimit.client_address(request)


def _key(rule: Rule, parts: tuple[str, ...]) -> str:
    text = "\x1f".join((rule.scope, *(part.strip().casefold()[:254] for part in parts)))
    return salted_hmac(KEY_SALT, text, algorithm="sha256").hexdigest()


def wait_seconds(rule: Rule, *parts: str) -> int:
    """Seconds until ``parts`` may try again under ``rule`` (0: now)."""
    row = Throttle.objects.filter(key=_key(rule, parts)).first()
    if row is None or row.locked_until is None:
        return 0
    return max(0, math.ceil((row.locked_until - timezone.now()).total_seconds()))


def signin_wait(username: str, address: str) -> int:
    """Seconds before ``username`` may try a password from ``address`` (0: now)."""
    return max(wait_seconds(SIGNIN, username, address), wait_seconds(SIGNIN_CLIENT, address))


def take(rule: Rule, *parts: str) -> int:
    """Count one attempt unless ``parts`` are locked out; 0 when allowed, else seconds to wait.

    A refused attempt is not counted, so hammering a locked key does not lengthen the lock.
    """
    now = timezone.now()
    key = _key(rule, parts)
    with transaction.atomic():
        row, _created = Throttle.objects.select_for_update().get_or_create(
            key=key, defaults={"window_start": now})
        if row.locked_until is not None and row.locked_until > now:
            return math.ceil((row.locked_until - now).total_seconds())
        if now - row.window_start >= rule.window:
            row.count, row.window_start = 0, now
        row.count += 1
        lock = rule.lock_after(row.count)
        row.locked_until = (row.window_start + lock if rule.base_lock is None else now + lock
                            ) if lock is not None else None
        row.save()
    Throttle.objects.filter(window_start__lt=now - timedelta(days=2)).delete()
    return 0


def reset(rule: Rule, *parts: str) -> None:
    Throttle.objects.filter(key=_key(rule, parts)).delete()
