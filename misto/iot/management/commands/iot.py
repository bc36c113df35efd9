"""``misto iot``: credentials, integrations and the broker's password and ACL files."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from misto.iot import services
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
                               help="write a mosquitto password file and ACL file")
        files.add_argument("--dir", required=True, type=Path)

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
        else:
            folder: Path = options["dir"]
            if not folder.is_dir():
                raise CommandError(f"{folder} is not a directory")
            passwords, acl = services.mosquitto_files()
            (folder / "misto.passwd").write_text(passwords)
            (folder / "misto.acl").write_text(acl)
            (folder / "misto.passwd").chmod(0o600)
            self.stdout.write(f"wrote {folder / 'misto.passwd'} and {folder / 'misto.acl'}")
