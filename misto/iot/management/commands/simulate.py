"""``misto simulate``: publish realistic demo telemetry for the demo devices.

Each MQTT message goes out as its device, with the credentials ``misto demo`` gave it: the
broker lets a device publish on its own topic only, and the simulator is held to the same
rule. The demo's LoRaWAN devices talk as they do in a city: their network server (ChirpStack
or The Things Stack) posts each uplink to Misto's webhook with the integration's secret, so
the simulator posts them to the running site (``--site``, loopback only) the same way.
"""

from __future__ import annotations

import random
import time
import urllib.error
import urllib.request
from argparse import ArgumentParser
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from misto.core.http import on_loopback
from misto.iot import conf
from misto.iot.demo import demo_secret
from misto.iot.models import Device, Integration
from misto.iot.mqtt import Refused, publish_as_device
from misto.iot.services import token_digest
from misto.iot.simulator import GENERATORS, LORAWAN, DeviceSim, broken, message, uplink


class WebhookRefused(Exception):
    """The site did not take a LoRaWAN uplink (not running, or the demo's secret refused)."""


def _header(kind: str) -> str:
    integration = Integration.objects.filter(kind=kind, active=True).order_by("pk").first()
    return integration.header_name if integration else "X-Misto-Secret"


def _post(url: str, body: bytes, headers: dict[str, str]) -> None:
    """Post one uplink as the network server does; the site must store it (2xx)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise WebhookRefused(f"{url} answered {error.code}: {error.read()[:200]!r}") from None
    except (urllib.error.URLError, OSError) as error:
        raise WebhookRefused(f"{url}: {error}") from None


class Command(BaseCommand):
    help = ("Publish demo readings as the demo devices over MQTT (daily cycles, noise, faults, "
            "an overflowing bin, a pollution spike, a burst main). Loopback brokers only.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--duration", type=float, default=60.0,
                            help="seconds to run (default 60)")
        parser.add_argument("--count", type=int, default=0,
                            help="stop after this many messages (0: no limit)")
        parser.add_argument("--interval", type=float, default=10.0,
                            help="seconds between two readings of one device (default 10)")
        parser.add_argument("--tenant", default="",
                            help="topic tenant (default: MISTO_IOT_TENANT, i.e. demo)")
        parser.add_argument("--devices", type=int, default=0,
                            help="use only the first N devices (0: all)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--site", default="http://127.0.0.1:8000",
                            help="the running site the LoRaWAN uplinks are posted to "
                                 "(default http://127.0.0.1:8000, as make run serves it)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            settings = conf.mqtt_settings()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if settings is None:
            raise CommandError("MQTT_URL is not set (make run writes it to var/mosquitto/mqtt_url)")
        if not on_loopback(settings.host):
            raise CommandError(f"refusing to simulate against {settings.host}: "
                               "the simulator only talks to a broker on this machine")
        site = urlsplit(options["site"])
        if site.scheme not in {"http", "https"} or not site.hostname:
            raise CommandError(f"--site must be an http(s) URL, got {options['site']!r}")
        if not on_loopback(site.hostname):
            raise CommandError(f"refusing to post uplinks to {site.hostname}: the simulator "
                               "only talks to a site on this machine")
        if options["duration"] <= 0 or options["interval"] <= 0 or options["count"] < 0:
            raise CommandError("--duration and --interval must be positive, --count >= 0")
        if options["tenant"]:
            if not conf.TENANT.fullmatch(options["tenant"]):
                raise CommandError(f"--tenant must be one topic level, got {options['tenant']!r}")
            settings = replace(settings, tenant=options["tenant"])
        devices = Device.objects.filter(active=True, model__code__in=list(GENERATORS)) \
            .select_related("model").order_by("uid")
        secrets = {d.uid: demo_secret(d.uid) for d in devices}
        # Only the devices whose secret the demo derived (and that still hold it).
        rows = [d for d in devices if token_digest(secrets[d.uid]) == d.token_hash]
        if options["devices"]:
            rows = rows[:options["devices"]]
        sims = [DeviceSim(d.uid, d.model.code, random.Random(f"{options['seed']}:{d.uid}"))
                for d in rows if not broken(d.uid)]
        euis = {d.uid: d.dev_eui or "" for d in rows}
        headers = {kind: {"Content-Type": "application/json",
                          _header(kind): demo_secret(f"integration:{kind}")}
                   for kind in set(LORAWAN.values())}
        if not sims:
            raise CommandError("no devices with demo credentials: run `misto demo` first")
        started = time.monotonic()
        sent = 0
        step = options["interval"] / len(sims)
        try:
            while time.monotonic() - started < options["duration"]:
                for sim in sims:
                    now = datetime.now(UTC)
                    minute = (time.monotonic() - started) / 60 * 30 / max(
                        1.0, options["duration"] / 60)
                    if sim.model in LORAWAN:
                        path, body = uplink(sim, euis[sim.uid], now, minute, sent)
                        _post(options["site"].rstrip("/") + path, body,
                              headers[LORAWAN[sim.model]])
                    else:
                        publish_as_device(settings, sim.uid, secrets[sim.uid],
                                          message(sim, now, minute))
                    sent += 1
                    if options["count"] and sent >= options["count"]:
                        break
                    if time.monotonic() - started >= options["duration"]:
                        break
                    time.sleep(step)
                if options["count"] and sent >= options["count"]:
                    break
        except WebhookRefused as error:
            raise CommandError(f"after {sent} messages: {error} (is the site at --site "
                               "running, with the demo's integrations? `misto demo`)") from None
        except (Refused, OSError) as error:
            raise CommandError(f"after {sent} messages: {error} (is the broker configured with "
                               "the demo's credentials? `misto iot broker-config` / make run)"
                               ) from None
        self.stdout.write(f"published {sent} messages for {len(sims)} devices")
