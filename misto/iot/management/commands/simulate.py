"""``misto simulate``: publish realistic demo telemetry for the registered devices over MQTT."""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from misto.iot import conf
from misto.iot.models import Device
from misto.iot.simulator import GENERATORS, DeviceSim, broken, message


def _loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback
                   for info in socket.getaddrinfo(host, None))
    except (socket.gaierror, ValueError):
        return False


class Command(BaseCommand):
    help = ("Publish demo readings for the registered devices over MQTT (daily cycles, noise, "
            "faults, an overflowing bin, a pollution spike, a burst main). Loopback brokers only.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--duration", type=float, default=60.0,
                            help="seconds to run (default 60)")
        parser.add_argument("--count", type=int, default=0,
                            help="stop after this many messages (0: no limit)")
        parser.add_argument("--interval", type=float, default=10.0,
                            help="seconds between two readings of one device (default 10)")
        parser.add_argument("--tenant", default="demo", help="topic tenant (default demo)")
        parser.add_argument("--devices", type=int, default=0,
                            help="use only the first N devices (0: all)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        from misto.iot.mqtt import connect, new_client, publish_readings

        settings = conf.mqtt_settings()
        if settings is None:
            raise CommandError("MQTT_URL is not set (e.g. mqtt://127.0.0.1:1883)")
        if not _loopback(settings.host):
            raise CommandError(f"refusing to simulate against {settings.host}: "
                               "the simulator only talks to a broker on this machine")
        if options["duration"] <= 0 or options["interval"] <= 0 or options["count"] < 0:
            raise CommandError("--duration and --interval must be positive, --count >= 0")
        rows = Device.objects.filter(active=True, model__code__in=list(GENERATORS)) \
            .select_related("model").order_by("uid")
        if options["devices"]:
            rows = rows[:options["devices"]]
        sims = [DeviceSim(d.uid, d.model.code, random.Random(f"{options['seed']}:{d.uid}"))
                for d in rows if not broken(d.uid)]
        if not sims:
            raise CommandError("no devices to simulate: run `misto demo` first")
        client = new_client(f"misto-simulator-{options['seed']}")
        connect(client, settings, persistent=False)
        client.loop_start()
        started = time.monotonic()
        sent = 0
        step = options["interval"] / len(sims)
        try:
            while time.monotonic() - started < options["duration"]:
                for sim in sims:
                    now = datetime.now(UTC)
                    minute = (time.monotonic() - started) / 60 * 30 / max(
                        1.0, options["duration"] / 60)
                    publish_readings(client, options["tenant"], sim.uid,
                                     message(sim, now, minute))
                    sent += 1
                    if options["count"] and sent >= options["count"]:
                        break
                    if time.monotonic() - started >= options["duration"]:
                        break
                    time.sleep(step)
                if options["count"] and sent >= options["count"]:
                    break
        finally:
            client.loop_stop()
            client.disconnect()
        self.stdout.write(f"published {sent} messages for {len(sims)} devices")
