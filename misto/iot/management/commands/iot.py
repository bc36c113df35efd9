"""``misto iot``: credentials, integrations and the broker's password and ACL files."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from misto.core.errors import MistoError
from misto.iot import broker, services
from misto.iot.models import Device, Integration


class Command(BaseCommand):
    help = "Device credentials, network-server integrations and Mosquitto auth files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        credentials = sub.add_parser("credentials", help="issue a new secret for a device")
        credentials.add_argument("device")
        integration = sub.add_parser("integration",
                                     help="register a network server or gateway")
        integration.add_argument("name")
        integration.add_argument("kind", choices=Integration.Kind.values)
        integration.add_argument("--header", default="X-Misto-Secret",
                                 help="the HTTP header carrying the secret")
        files = sub.add_parser("mosquitto-files",
                               help="write a mosquitto password file and ACL file (with the "
                                    "consumer account of MQTT_URL) for an operator's broker")
        files.add_argument("--dir", required=True, type=Path)
        own = sub.add_parser("broker-config",
                             help="write the configuration of Misto's own loopback broker "
                                  "(make run starts it)")
        own.add_argument("--dir", required=True, type=Path)
        own.add_argument("--port", type=int, default=1884)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "credentials":
            device = Device.objects.filter(uid=options["device"]).first()
            if device is None:
                raise CommandError(f"no device {options['device']!r}")
            token = services.issue_credentials(device)
            self.stdout.write(f"device {device.uid}: secret {token}\n"
                              "(HTTP: Authorization: Bearer <secret>; MQTT: user "
                              f"{device.uid}, password <secret>). It is shown only once.")
        elif action == "integration":
            if Integration.objects.filter(name=options["name"]).exists():
                raise CommandError(f"an integration named {options['name']!r} exists")
            integration, secret = services.create_integration(
                options["name"], options["kind"], options["header"])
            self.stdout.write(f"integration {integration.name} ({integration.kind}): send "
                              f"header {integration.header_name}: {secret}\n"
                              "It is shown only once.")
        elif action == "broker-config":
            self._broker_config(options["dir"], options["port"])
        else:
            self._mosquitto_files(options["dir"])

    def _broker_config(self, folder: Path, port: int) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be 1-65535, got {port}")
        try:
            broker.broker_config(folder, port)
        except (ValueError, MistoError) as error:  # a bad tenant, an account clash
            raise CommandError(str(error)) from None
        config = folder / broker.CONFIG_FILE
        self.stdout.write(f"wrote {config}: start it with `mosquitto -d -c {config}`; the "
                          f"consumer's MQTT_URL is in {folder / broker.URL_FILE}")

    def _mosquitto_files(self, folder: Path) -> None:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a directory")
        try:
            consumer = broker.consumer_from_url()
            broker.write_auth_files(folder, consumer)
        except (ValueError, MistoError) as error:  # bad MQTT_URL or tenant, a clash
            raise CommandError(str(error)) from None
        self.stdout.write(f"wrote {folder / broker.PASSWORD_FILE} and {folder / broker.ACL_FILE}")
        if consumer is None:
            self.stdout.write("MQTT_URL names no user:password, so the files hold no account "
                              "for the platform's consumer (docs/iot.md)")
