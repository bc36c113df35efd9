"""Fixtures shared by every module's tests."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation

from misto.core.config import env_bool

ROOT = Path(__file__).resolve().parent.parent


def child_database_url() -> str:
    """A DATABASE_URL naming the database the tests run on, for child processes."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"spatialite:///{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="misto.test_settings",
        DATABASE_URL=child_database_url(),
        MISTO_OUTBOX_POLL_SECONDS="0.1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def misto_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "misto.cli", *args]


@pytest.fixture
def spawn_misto() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start real ``misto`` processes on the test database; kill leftovers at the end."""
    started: list[subprocess.Popen[str]] = []

    def spawn(*args: str, **env: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            misto_command(*args), cwd=ROOT, env=child_env(**env), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)


@pytest.fixture(scope="session")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """``misto demo`` with its events delivered (as ``make run``'s worker would), loaded once
    per run and rolled back at its end: the tests that use it run last (see
    ``pytest_collection_modifyitems``), each in a savepoint of its own (``demo``)."""
    from misto.core import outbox

    # In the city's language, as `misto demo` records it (texts such as incident labels are
    # stored as written), whatever language an earlier test left active.
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override(settings.LANGUAGE_CODE):
            call_command("demo", stdout=io.StringIO())
            while outbox.deliver_due(limit=5000):
                pass
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city: None, db: None) -> None:
    """The demo city, for one test (its changes rolled back after it)."""


def wait_for(predicate: Callable[[], bool], timeout: float = 30, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# After a transactional test (the browser's, the worker processes'), Django empties every
# table with one TRUNCATE of all of them, which on PostgreSQL costs a new file per table and
# index (seconds per test, most of the PostGIS run). Deleting the rows of the tables that have
# any is the same end state in milliseconds. Content types and permissions are kept: the
# post_migrate signal that follows the flush would only create them again.
_KEPT_BY_FLUSH = {"django_content_type", "auth_permission"}


def _delete_what_is_there(original: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def sql_flush(self: Any, style: Any, tables: list[str], *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        if reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        quote = self.quote_name
        probe = " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables)
        with self.connection.cursor() as cursor:
            cursor.execute(probe, list(tables))
            filled = [row[0] for row in cursor.fetchall()]
        # Django's foreign keys on PostgreSQL are DEFERRABLE INITIALLY DEFERRED: any order.
        return [f"DELETE FROM {quote(table)}" for table in filled
                if table not in _KEPT_BY_FLUSH]

    return sql_flush


def _quicker_flush_on_postgresql() -> None:
    from django.db.backends.postgresql.operations import DatabaseOperations

    DatabaseOperations.sql_flush = _delete_what_is_there(  # type: ignore[method-assign]
        DatabaseOperations.sql_flush)


_quicker_flush_on_postgresql()


# One Chromium for the whole run: Playwright's sync API allows a single instance per thread,
# so the browser fixtures are defined here once, never imported into test modules.
from misto.core.tests.browser import browser, page  # noqa: E402

__all__ = ["browser", "child_env", "misto_command", "page", "spawn_misto", "wait_for"]


# When `make test` runs both databases at once (MISTO_ENGINE_SPLIT=1), cases that exercise
# the same code whatever the engine are shared between them instead of run twice:
# - a browser flow's two language x screen combinations (uk on a phone, en on a desk, as each
#   flow is parametrised): the first on SpatiaLite, the second on PostGIS. Every flow still
#   runs on both engines and at both sizes, in both languages; the browser half of a run was
#   ~45 % of its time.
# - the cases of a test marked `engine_split` (one fresh interpreter per switched-off module,
#   ~5 s of CPU each): even cases on SpatiaLite, odd ones on PostGIS.
# What the engines do differently is covered by the other tests, which run whole on each.
# A developer's own run (no variable) keeps them all.
BROWSER_AXES = ("language", "locale", "device", "viewport")


def _engine_half(item: pytest.Item, vendor: str) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return True
    mine = 0 if vendor == "sqlite" else 1
    if item.get_closest_marker("engine_split") is not None:
        return min(callspec.indices.values()) % 2 == mine
    if item.get_closest_marker("browser") is None:
        return True
    for axis in BROWSER_AXES:
        if axis in callspec.indices:
            return callspec.indices[axis] % 2 == mine
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if env_bool("MISTO_ENGINE_SPLIT"):
        vendor = connection.vendor
        kept = [item for item in items if _engine_half(item, vendor)]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[item for item in items if item not in kept])
            items[:] = kept
    # The demo city is loaded once, in a transaction held until the run ends: its tests last.
    on_demo = [item for item in items if "demo_city" in getattr(item, "fixturenames", ())]
    if on_demo:
        items[:] = [item for item in items if item not in set(on_demo)] + on_demo
