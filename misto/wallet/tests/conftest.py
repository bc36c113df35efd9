"""The wallet's test world: the demo fares (15 UAH, caps 45/180), a resident, a validator."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from misto.testing.world import make_resident
from misto.wallet import demo, services
from misto.wallet.models import Account, Validator

KYIV = ZoneInfo("Europe/Kyiv")


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


@pytest.fixture
def fares(db: Any) -> None:
    demo.load(io.StringIO())


@pytest.fixture
def rider(fares: None) -> Any:
    return make_resident("rider")


@pytest.fixture
def account(rider: Any) -> Account:
    return services.access_account(rider)


@pytest.fixture
def validator(fares: None) -> Validator:
    return Validator.objects.get(code=demo.DEMO_VALIDATOR[0])


def top_up(account: Account, amount: int) -> None:
    services.demo_pay(services.do_start_topup(account, amount))
