"""Channel addresses and the home address are encrypted at rest, existing rows included."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from misto.core import crypto
from misto.notifications import gateways
from misto.notifications.models import ChannelAddress, Profile

BEFORE = [("notifications", "0004_emergencynotice")]
AFTER = [("notifications", "0005_encrypt_addresses")]
PLAIN = {"sms": "+380671112233", "telegram": "@olena", "viber": "viber-77"}
HOME = "вулиця Шевченка, 1"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_back() -> None:
    user = get_user_model().objects.create_user("olena")
    old = migrate(BEFORE)
    old.get_model("notifications", "Profile").objects.create(user_id=user.pk, home_label=HOME)
    for channel, address in PLAIN.items():
        old.get_model("notifications", "ChannelAddress").objects.create(
            user_id=user.pk, channel=channel, address=address)
    try:
        migrate(AFTER)
        stored = raw("notifications_channeladdress", "address")
        assert all(value.startswith(crypto.TOKEN_PREFIX) for value in stored)
        assert sorted(crypto.decrypt(value) for value in stored) == sorted(PLAIN.values())
        assert raw("notifications_profile", "home_label")[0].startswith(crypto.TOKEN_PREFIX)
        assert {a.channel: a.address for a in ChannelAddress.objects.all()} == PLAIN
        assert Profile.objects.get().home_label == HOME
        migrate(AFTER)  # a second run changes nothing (already encrypted rows are kept)
        assert raw("notifications_channeladdress", "address") == stored
        migrate(BEFORE)
        assert sorted(raw("notifications_channeladdress", "address")) == sorted(PLAIN.values())
        assert raw("notifications_profile", "home_label") == [HOME]
    finally:
        migrate(AFTER)


def test_the_gateway_log_does_not_name_the_address(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="misto.notifications.gateway"):
        reference = gateways.LogGateway("sms").send("+380671112233", "Відключення води")
    assert reference in caplog.text and "Відключення води" in caplog.text
    assert "+380671112233" not in caplog.text and "to …33" in caplog.text
