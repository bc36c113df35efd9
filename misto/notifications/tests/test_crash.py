"""SIGKILL a real worker in the middle of a fan-out: nothing is lost, nothing doubled."""

from __future__ import annotations

import signal

import pytest
from django.contrib.auth import get_user_model

from misto.conftest import wait_for
from misto.notifications import services
from misto.notifications.models import Delivery, FanOut, Message, Profile, Subscription, Topic
from misto.notifications.tests.conftest import DISTRICT_A, outage_draft

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RESIDENTS = 1400


def populate(city) -> set[int]:
    """Residents spread over every building; returns those living inside the outage area."""
    User = get_user_model()
    User.objects.bulk_create(User(username=f"crash{n}", email="") for n in range(RESIDENTS))
    users = list(User.objects.filter(username__startswith="crash").order_by("pk"))
    keys = sorted(city.points)
    housing = Topic.objects.get(code="housing")
    Profile.objects.bulk_create(
        Profile(user=user, home_building_id=city.buildings[keys[n % len(keys)]],
                home_district=DISTRICT_A, telegram_enabled=True)
        for n, user in enumerate(users))
    Subscription.objects.bulk_create(
        Subscription(user=user, topic=housing, district=DISTRICT_A) for user in users)
    from misto.notifications.models import ChannelAddress

    ChannelAddress.objects.bulk_create(  # a planned (logged) telegram delivery for each
        ChannelAddress(user=user, channel="telegram", address=str(user.pk)) for user in users)
    inside = {city.buildings[k] for k in city.inside}
    return {u.pk for n, u in enumerate(users) if city.buildings[keys[n % len(keys)]] in inside}


def test_sigkill_mid_fanout_loses_and_duplicates_nothing(city, staff, spawn_misto,
                                                         settings) -> None:
    expected = populate(city)
    settings.MISTO_NOTIFY_CHUNK = 10  # parts of 10 user ids, cut when it is published
    announcement = services.compose(staff(), outage_draft(city))
    job = FanOut.objects.get(announcement=announcement)
    env = {"MISTO_MODULES": "notifications", "MISTO_NOTIFY_CHUNK_PAUSE": "0.03",
           "MISTO_NOTIFY_POLL_SECONDS": "0.1", "MISTO_NOTIFY_RATE_TELEGRAM": "1"}

    def inbox_rows() -> int:
        return Message.objects.filter(announcement=announcement).count()

    first = spawn_misto("worker", "--only", "runners", **env)
    assert wait_for(lambda: inbox_rows() >= 150, timeout=90), first.stdout
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    job.refresh_from_db()
    before = inbox_rows()
    assert 0 < before < len(expected), "the kill must land in the middle of the fan-out"
    assert job.stage == "inbox"

    second = spawn_misto("worker", "--only", "runners", **env)
    assert wait_for(lambda: FanOut.objects.get(pk=job.pk).stage == "done", timeout=120)
    second.send_signal(signal.SIGTERM)
    second.wait(15)

    rows = list(Message.objects.filter(announcement=announcement)
                .values_list("user_id", flat=True))
    assert len(rows) == len(set(rows)), "no resident got the announcement twice"
    assert set(rows) == expected, "every resident inside got it, nobody outside"
    job.refresh_from_db()
    assert job.recipients == len(expected)
    deliveries = list(Delivery.objects.filter(message__announcement=announcement)
                      .values_list("message_id", "channel"))
    assert len(deliveries) == len(set(deliveries)) == len(expected)
