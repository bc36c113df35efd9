"""``misto simulate transit``: drive the demo vehicles along the demo feed in real time.

By default the positions go to the ingest service in this process (the same checks as a
tracker's); ``--site http://127.0.0.1:8000`` posts them to a running Misto over the
Traccar/OsmAnd protocol with the demo trackers' keys (loopback only); ``--mqtt`` publishes
them over the IoT platform's MQTT broker (``MQTT_URL``, loopback only) as the buses' trackers
and passenger counters, with the demo devices' credentials.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from misto.core import readings
from misto.core.http import on_loopback
from misto.transit.demo import demo_vehicles, link_devices, tracker_key
from misto.transit.models import Vehicle
from misto.transit.services import overload, timetable
from misto.transit.services.positions import Fix
from misto.transit.simulator import Simulation, direct_sender, mqtt_sender, osmand_sender


class Command(BaseCommand):
    help = ("Drive the demo feed's vehicles along their lines in real time, with delays, dwell "
            "times and passenger counts (misto simulate transit).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--duration", type=float, default=600.0,
                            help="seconds to run (default 600)")
        parser.add_argument("--interval", type=float, default=5.0,
                            help="seconds between two positions of a vehicle (default 5)")
        parser.add_argument("--ticks", type=int, default=0,
                            help="stop after this many rounds (0: run for --duration)")
        parser.add_argument("--site", default="",
                            help="post over Traccar/OsmAnd to this running Misto (loopback "
                                 "only) instead of recording in this process")
        parser.add_argument("--mqtt", action="store_true",
                            help="publish as the buses' trackers and passenger counters over "
                                 "MQTT (MQTT_URL, loopback only) through the IoT platform")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0 or options["duration"] <= 0 or options["ticks"] < 0:
            raise CommandError("--interval and --duration must be positive, --ticks >= 0")
        tt = timetable.current()
        if tt is None:
            raise CommandError("no timetable: run `misto demo` (or `misto transit import-gtfs`)")
        if options["site"] and options["mqtt"]:
            raise CommandError("--site and --mqtt are two ways to send: choose one")
        # The buses' devices are linked before a sender reads which device is on which bus.
        vehicles = demo_vehicles()
        link_devices(vehicles)
        send: Callable[[Vehicle, Fix], str] = direct_sender
        if options["mqtt"]:
            send = mqtt_sender()
        elif options["site"]:
            site = urlsplit(options["site"])
            if site.scheme not in {"http", "https"} or not site.hostname:
                raise CommandError(f"--site must be an http(s) URL, got {options['site']!r}")
            if not on_loopback(site.hostname):
                raise CommandError(f"refusing to post to {site.hostname}: the simulator only "
                                   "talks to a site on this machine")
            send = osmand_sender(options["site"], tracker_key)
        simulation = Simulation(tt, vehicles, options["seed"])
        started, ticks, sent, refused = time.monotonic(), 0, 0, 0
        try:
            while True:
                for vehicle, fix in simulation.step(timezone.now()):
                    answer = send(vehicle, fix)
                    sent += 1
                    refused += answer != "OK"
                overload.watch()
                ticks += 1
                if options["ticks"] and ticks >= options["ticks"]:
                    break
                if time.monotonic() - started + options["interval"] > options["duration"]:
                    break
                time.sleep(options["interval"])
        except readings.DeviceChannelError as error:
            raise CommandError(f"after {sent} positions: {error}") from None
        except (urllib.error.URLError, OSError) as error:
            raise CommandError(f"the site did not take a position: {error}") from None
        except KeyboardInterrupt:
            pass
        self.stdout.write(f"simulated {len(simulation.sims)} vehicles: {sent} positions sent, "
                          f"{refused} refused, in {ticks} rounds")
