"""Fan one announcement out to N subscribed residents; compare with a raw INSERT ... SELECT.

    .venv/bin/python bench/notifications.py [--size N] [--chunk C] [--workers W] [--rounds R]

Creates (once, then reuses) N bench residents, each subscribed to the "housing" topic, half of
them to "traffic" too. Each round times two things on the same rows, in alternating order:

* raw: one ``INSERT INTO notifications_message ... SELECT DISTINCT ... FROM
  notifications_subscription WHERE topic_id = ...`` in one transaction, the floor;
* fan-out: the module's real path (``services.run_fanout``, as the worker's runner calls
  it) until every inbox row is committed: parts of ``--chunk`` user ids, one transaction per
  part with its done mark, taken by ``--workers`` parallel workers (SKIP LOCKED), the target
  rules; i.e. crash-safe and resumable.

Prints both, rows per second, and on the last line ``ratio=<fan-out / raw>`` (best rounds).
Uses DATABASE_URL (default: var/bench/notifications.sqlite3), never the development database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common import ensure_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "bench-n-"


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL",
                          f"spatialite:///{ROOT / 'var' / 'bench' / 'notifications.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(size: int) -> None:
    """N residents with subscriptions, written set-based (reused when already there)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from misto.notifications import services
    from misto.notifications.models import Subscription, Topic

    services.ensure_default_topics()
    User = get_user_model()
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have == size:
        print(f"reusing {size:,} bench residents")
        return
    started = time.perf_counter()
    with transaction.atomic():
        Subscription.objects.filter(user__username__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
    housing = Topic.objects.get(code="housing").pk
    traffic = Topic.objects.get(code="traffic").pk
    table = User._meta.db_table
    if connection.vendor == "postgresql":
        series = "SELECT g AS n FROM generate_series(1, %s) g"
        now = "now()"
    else:
        series = ("WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq "
                  "WHERE n < %s) SELECT n FROM seq")
        now = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (password, last_login, is_superuser, username, first_name, "
            "last_name, email, is_staff, is_active, date_joined) "
            f"SELECT '!', NULL, %s, %s || s.n, '', '', '', %s, %s, {now} FROM ({series}) s",
            [False, PREFIX, False, True, size])
        for topic, modulo in ((housing, 1), (traffic, 2)):
            cursor.execute(
                "INSERT INTO notifications_subscription (user_id, topic_id, district, area, "
                f"created_at) SELECT u.id, %s, '', NULL, {now} FROM {table} u "
                "WHERE u.username LIKE %s AND u.id %% %s = 0",
                [topic, PREFIX + "%", modulo])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"created {size:,} bench residents in {time.perf_counter() - started:.1f} s")


def new_announcement(title: str) -> int:
    from misto.notifications import services

    draft = services.Draft(title_uk=title, topics=["housing"], target="city")
    # Staff approval is a policy step in front of this; the bench times the fan-out.
    return services._create(services.check_draft(draft), None).pk


def delete_messages(announcement_ids: list[int]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(announcement_ids))
        cursor.execute("DELETE FROM notifications_delivery WHERE message_id IN (SELECT id FROM "
                       f"notifications_message WHERE announcement_id IN ({marks}))",
                       announcement_ids)
        cursor.execute(f"DELETE FROM notifications_message WHERE announcement_id IN ({marks})",
                       announcement_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_message")


def time_raw(announcement_id: int) -> tuple[float, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from misto.notifications.models import Topic

    housing = Topic.objects.get(code="housing").pk
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications_message (announcement_id, user_id, created_at, urgent) "
            "SELECT DISTINCT %s, s.user_id, %s, %s "
            "FROM notifications_subscription s WHERE s.topic_id = %s",
            [announcement_id, now, False, housing])
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def time_fanout(announcement_id: int, workers: int) -> tuple[float, float, int]:
    """Seconds until every inbox row is committed, seconds for the whole job, rows."""
    import threading

    from django.db import transaction

    from misto.notifications import services
    from misto.notifications.models import Announcement, FanOut, FanOutPart

    with transaction.atomic():
        services.publish_announcement(Announcement.objects.get(pk=announcement_id))
    job = FanOut.objects.get(announcement_id=announcement_id)
    inbox_left = FanOutPart.objects.filter(fanout=job, stage="inbox", done=False)
    marks: dict[str, float] = {}
    started = time.perf_counter()
    def run() -> None:
        services.run_fanout(job.pk, workers=workers, pause=0)
        marks["total"] = time.perf_counter() - started

    runner = threading.Thread(target=run)
    runner.start()
    while inbox_left.exists():  # polled from here: the workers never wait for the bench
        time.sleep(0.02)
    inbox_done = time.perf_counter() - started
    runner.join()
    job.refresh_from_db()
    return inbox_done, marks["total"], job.recipients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=0,
                        help="user ids per fan-out transaction (default: MISTO_NOTIFY_CHUNK "
                        "or 50,000)")
    parser.add_argument("--workers", type=int, default=0,
                        help="parallel fan-out workers (default: MISTO_NOTIFY_WORKERS, or 2 "
                        "on PostgreSQL and 1 on SpatiaLite)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    setup()
    from django.db import connection

    from misto.notifications import conf

    if args.chunk:
        os.environ["MISTO_NOTIFY_CHUNK"] = str(args.chunk)
    chunk, workers = conf.chunk_size(), args.workers or conf.fanout_workers()
    print(f"database: {connection.vendor}, residents: {args.size:,}, chunk: {chunk:,}, "
          f"workers: {workers}")
    populate(args.size)
    raw_times, fan_times, totals = [], [], []
    for round_no in range(args.rounds):
        raw_id, fan_id = new_announcement("bench raw"), new_announcement("bench fan-out")
        order = ["raw", "fan"] if round_no % 2 == 0 else ["fan", "raw"]
        for which in order:
            if which == "raw":
                seconds, rows = time_raw(raw_id)
                raw_times.append(seconds)
                print(f"round {round_no + 1}: raw INSERT ... SELECT  {rows:>10,} rows "
                      f"{seconds:7.2f} s  {rows / seconds:12,.0f} rows/s")
            else:
                inbox, total, rows = time_fanout(fan_id, workers)
                fan_times.append(inbox)
                totals.append(total)
                print(f"round {round_no + 1}: fan-out inbox          {rows:>10,} rows "
                      f"{inbox:7.2f} s  {rows / inbox:12,.0f} rows/s  "
                      f"(with delivery planning: {total:.2f} s)")
        if rows != args.size:
            raise SystemExit(f"expected {args.size:,} inbox rows, got {rows:,}")
        delete_messages([raw_id, fan_id])
    best_raw, best_fan = min(raw_times), min(fan_times)
    print(f"best raw: {best_raw:.2f} s; best fan-out to every inbox row committed: "
          f"{best_fan:.2f} s; whole job incl. delivery planning: {min(totals):.2f} s")
    print(f"ratio={best_fan / best_raw:.2f}")


if __name__ == "__main__":
    main()
