"""Fan-out: one published announcement -> one inbox row per recipient -> deliveries.

Set-based (``INSERT ... SELECT``) in parts of user-id ranges, each part committed with its
``done`` mark so a crashed or restarted run resumes where it stopped; several workers take
parts with ``SKIP LOCKED``. Its own file because it is the module's heavy, database-specific
path, read and tuned on its own (bench/notifications.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from misto.notifications import conf
from misto.notifications.models import (
    Announcement,
    Channel,
    FanOut,
    FanOutPart,
    FanOutStage,
    Message,
    Status,
    Subscription,
    Target,
)


def _intersects(left: str, right: str) -> str:
    if connection.vendor == "postgresql":
        return f"ST_Intersects({left}, {right})"
    return f"ST_Intersects({left}, {right}) = 1"


def _recipients_where(announcement: Announcement) -> tuple[str, list[Any]]:
    """SQL over ``notifications_subscription s`` choosing the announcement's recipients."""
    clauses = ["s.topic_id IN (SELECT t.topic_id FROM notifications_announcement_topics t "
               "WHERE t.announcement_id = %s)"]
    params: list[Any] = [announcement.pk]
    area_match = ("(s.area IS NOT NULL AND "
                  + _intersects("s.area", "(SELECT x.area FROM notifications_announcement x "
                                "WHERE x.id = %s)") + ")")
    if announcement.target == Target.CITY:
        pass
    elif announcement.target == Target.DISTRICTS:
        marks = ", ".join(["%s"] * len(announcement.districts)) or "NULL"
        clauses.append(f"(s.district IN ({marks}) OR {area_match})")
        params += [*announcement.districts, announcement.pk]
    else:
        clauses.append(
            "(s.user_id IN (SELECT p.user_id FROM notifications_profile p "
            "JOIN notifications_affectedbuilding b ON b.building_id = p.home_building_id "
            f"WHERE b.announcement_id = %s) OR {area_match})")
        params += [announcement.pk, announcement.pk]
    return " AND ".join(clauses), params


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _insert_inbox_chunk(announcement: Announcement, low: int, high: int) -> int:
    """Inbox rows for the recipients with user ids in (low, high]; call holding the part lock.

    Under the part's lock nobody else writes this range of the announcement's rows, and a
    part's rows commit together with its ``done`` mark, so a part normally starts empty: then
    a plain insert is used (the unique key still guards it). If rows are already there (a
    fan-out restarted by staff), ``ON CONFLICT DO NOTHING`` skips them.
    """
    where, params = _recipients_where(announcement)
    started = Message.objects.filter(announcement_id=announcement.pk, user_id__gt=low,
                                     user_id__lte=high).exists()
    sql = (
        "INSERT INTO notifications_message "
        "(announcement_id, user_id, created_at, urgent) "
        "SELECT %s, r.user_id, %s, %s FROM ("
        "SELECT DISTINCT s.user_id FROM notifications_subscription s "
        f"WHERE {where} AND s.user_id > %s AND s.user_id <= %s) r "
        # In user order: the indexes then grow at their right edge instead of at random
        # pages (measured: twice as fast on PostgreSQL).
        "WHERE r.user_id IS NOT NULL ORDER BY r.user_id"
        + (" ON CONFLICT DO NOTHING" if started else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [announcement.pk, _dt(timezone.now()), announcement.urgent,
                             *params, low, high])
        return max(cursor.rowcount, 0)


def _plan_deliveries_chunk(announcement_id: int | None, low: int, high: int,
                           message_ids: Sequence[int] | None = None) -> int:
    """Delivery rows for the messages of users in (low, high], per enabled channel."""
    user_table = get_user_model()._meta.db_table
    if message_ids is not None:
        marks = ", ".join(["%s"] * len(message_ids)) or "NULL"
        scope = f"m.id IN ({marks})"
        scope_params: list[Any] = list(message_ids)
    else:
        scope = "m.announcement_id = %s AND m.user_id > %s AND m.user_id <= %s"
        scope_params = [announcement_id, low, high]
    channels = {
        Channel.EMAIL: "u.email <> '' AND COALESCE(p.email_enabled, %s)",
        Channel.PUSH: ("COALESCE(p.push_enabled, %s) AND EXISTS (SELECT 1 FROM "
                       "notifications_pushsubscription ps WHERE ps.user_id = m.user_id)"),
    }
    defaults = {Channel.EMAIL: True, Channel.PUSH: True, Channel.SMS: False,
                Channel.TELEGRAM: True, Channel.VIBER: True}
    for gateway in (Channel.SMS, Channel.TELEGRAM, Channel.VIBER):
        channels[gateway] = (
            f"COALESCE(p.{gateway}_enabled, %s) AND EXISTS (SELECT 1 FROM "
            "notifications_channeladdress ca WHERE ca.user_id = m.user_id "
            f"AND ca.channel = '{gateway}')")
    total = 0
    now = _dt(timezone.now())
    with connection.cursor() as cursor:
        for channel, condition in channels.items():
            cursor.execute(
                "INSERT INTO notifications_delivery (message_id, channel, status, attempts, "
                "next_attempt_at, last_error, provider_ref) "
                "SELECT m.id, %s, 'pending', 0, %s, '', '' "
                f"FROM notifications_message m JOIN {user_table} u ON u.id = m.user_id "
                "LEFT JOIN notifications_profile p ON p.user_id = m.user_id "
                f"WHERE {scope} AND u.is_active AND {condition} "
                "ORDER BY m.id ON CONFLICT DO NOTHING",
                [str(channel), now, *scope_params, defaults[channel]],
            )
            total += max(cursor.rowcount, 0)
    return total


def create_fanout(announcement: Announcement) -> FanOut:
    """The fan-out job and its parts (ranges of ``MISTO_NOTIFY_CHUNK`` user ids per stage)."""
    upper = Subscription.objects.aggregate(top=Max("user_id"))["top"] or 0
    job, created = FanOut.objects.get_or_create(announcement=announcement,
                                                defaults={"upper": upper})
    if created:
        width = conf.chunk_size()
        FanOutPart.objects.bulk_create(
            (FanOutPart(fanout=job, stage=stage, low=low, high=min(low + width, upper))
             for stage in (FanOutStage.INBOX, FanOutStage.DELIVERIES)
             for low in range(0, upper, width)), batch_size=1000)
        if not upper:
            FanOut.objects.filter(pk=job.pk).update(stage=FanOutStage.DONE,
                                                    finished_at=timezone.now())
    return job


def _settle(job: FanOut) -> None:
    """Move the job's stage on when the parts of its stage are all done."""
    parts = FanOutPart.objects.filter(fanout_id=job.pk)
    if job.stage == FanOutStage.INBOX and not parts.filter(stage=FanOutStage.INBOX,
                                                           done=False).exists():
        totals = parts.filter(stage=FanOutStage.INBOX).aggregate(rows=Sum("rows"))
        FanOut.objects.filter(pk=job.pk, stage=FanOutStage.INBOX).update(
            stage=FanOutStage.DELIVERIES, recipients=totals["rows"] or 0)
        job.stage = FanOutStage.DELIVERIES
    if job.stage == FanOutStage.DELIVERIES and not parts.filter(done=False).exists():
        FanOut.objects.filter(pk=job.pk).exclude(stage=FanOutStage.DONE).update(
            stage=FanOutStage.DONE, finished_at=timezone.now(),
            chunks=parts.filter(done=True).count())


def fanout_step(fanout_id: int) -> bool:
    """Do one part of a fan-out in one transaction; False when no part is left to take.

    The part row is locked (``SKIP LOCKED``: another worker takes the next part), and its
    rows commit together with its ``done`` mark (a crash loses neither half). Delivery
    planning of a range waits for that range's inbox rows.
    """
    with transaction.atomic():
        job = FanOut.objects.select_related("announcement").filter(pk=fanout_id).first()
        if job is None or job.stage == FanOutStage.DONE:
            return False
        announcement = job.announcement
        if announcement.status == Status.WITHDRAWN:
            FanOut.objects.filter(pk=job.pk).update(stage=FanOutStage.DONE,
                                                    finished_at=timezone.now())
            return False
        inbox_done = FanOutPart.objects.filter(fanout_id=job.pk, stage=FanOutStage.INBOX,
                                               done=True).values("low")
        part = (FanOutPart.objects.select_for_update(skip_locked=True)
                .filter(fanout_id=job.pk, done=False)
                .filter(Q(stage=FanOutStage.INBOX)
                        | Q(stage=FanOutStage.DELIVERIES, low__in=inbox_done))
                .order_by("-stage", "low").first())
        if part is None:
            _settle(job)
            return False
        if part.stage == FanOutStage.INBOX:
            part.rows = _insert_inbox_chunk(announcement, part.low, part.high)
        else:
            part.rows = _plan_deliveries_chunk(announcement.pk, part.low, part.high)
        part.done = True
        part.save(update_fields=["rows", "done"])
    return True


def restart_fanout(fanout_id: int) -> None:
    """Run a fan-out again from the start (staff repair); the unique keys skip what exists."""
    with transaction.atomic():
        FanOutPart.objects.filter(fanout_id=fanout_id).update(done=False, rows=0)
        FanOut.objects.filter(pk=fanout_id).update(stage=FanOutStage.INBOX, finished_at=None)


def _work(fanout_id: int, rest: float, stop: Any) -> None:
    while fanout_step(fanout_id):
        if stop is not None and stop.is_set():
            return
        if rest:
            time.sleep(rest)


def _work_in_thread(fanout_id: int, rest: float, stop: Any) -> None:
    try:
        _work(fanout_id, rest, stop)
    finally:
        connection.close()


def run_fanout(fanout_id: int, *, workers: int = 1, pause: float | None = None,
               stop: Any = None) -> None:
    """Run a fan-out to its end (resuming wherever an earlier run stopped).

    ``workers`` > 1 adds threads with connections of their own (PostgreSQL; the data must
    be committed, i.e. not inside a test's transaction).
    """
    rest = conf.chunk_pause() if pause is None else pause
    threads = [threading.Thread(target=_work_in_thread, args=(fanout_id, rest, stop),
                                name=f"fanout-{fanout_id}-{n}", daemon=True)
               for n in range(1, workers)]
    for thread in threads:
        thread.start()
    _work(fanout_id, rest, stop)
    for thread in threads:
        thread.join()
    job = FanOut.objects.filter(pk=fanout_id).first()
    if job is not None:
        _settle(job)


def pending_fanouts() -> list[int]:
    return list(FanOut.objects.exclude(stage=FanOutStage.DONE).order_by("pk")
                .values_list("pk", flat=True))


def run_pending_fanouts(stop: Any = None) -> int:
    jobs = pending_fanouts()
    for job_id in jobs:
        run_fanout(job_id, workers=conf.fanout_workers(), stop=stop)
    return len(jobs)
