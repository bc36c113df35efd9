"""What every benchmark needs: a database of its own, Django set up, and statistics.

    from common import setup, percentile  # bench/ is on sys.path when a bench runs

``setup(name)`` points Django at DATABASE_URL (default: ``var/bench/<name>.sqlite3``, never
the development database), creates a missing PostgreSQL database and migrates it.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist yet."""
    if not url.startswith("postgis://"):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(dbname="postgres", user=config["USER"] or "postgres",
                         password=config["PASSWORD"] or None, host=config["HOST"] or None,
                         port=config["PORT"] or None, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def setup(name: str, migrate: bool = True) -> str:
    """Set up Django on the benchmark's database; returns the database vendor."""
    sys.path.insert(0, str(ROOT))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL",
                          f"spatialite:///{ROOT / 'var' / 'bench' / f'{name}.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if migrate:
        call_command("migrate", verbosity=0)
    return connection.vendor


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_line(label: str, seconds: Sequence[float]) -> str:
    """``label: median X ms, p95 Y ms (n=N)``."""
    return (f"{label}: median {statistics.median(seconds) * 1000:.3f} ms, "
            f"p95 {percentile(seconds, 0.95) * 1000:.3f} ms (n={len(seconds)})")
