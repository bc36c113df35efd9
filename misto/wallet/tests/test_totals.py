"""A closed day's totals go to the public ledger once (wallet.DailyTotals)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.wallet import services
from misto.wallet.models import Account, Transfer
from misto.wallet.services.totals import anchor_closed_days, do_anchor_day
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def test_yesterdays_totals_are_published_once(account: Account) -> None:
    top_up(account, 20_000)
    services.do_buy_pass(account, services.check_product("trips-10"), "req-1")
    services.do_correct(account, -500, "test", None)
    yesterday = timezone.localdate() - timedelta(days=1)
    # Move the movements to yesterday noon (the test's clock is today).
    Transfer.objects.update(created_at=timezone.make_aware(
        datetime.combine(yesterday, time(12))))
    totals = do_anchor_day(yesterday)
    assert totals is not None
    assert (totals.topups, totals.passes, totals.fares, totals.corrections, totals.transfers,
            totals.imbalance) == (20_000, 13_000, 0, -500, 3, 0)
    assert do_anchor_day(yesterday) is None  # once
    assert anchor_closed_days() == 6  # the other days of the week, empty, anchored once
    assert anchor_closed_days() == 0
    published = OutboxEvent.objects.filter(name="wallet.DailyTotals")
    assert published.count() == 7
    assert published.filter(payload__day=yesterday.isoformat()).get().payload["passes"] == 13_000
    with pytest.raises(ValueError):
        do_anchor_day(timezone.localdate())
