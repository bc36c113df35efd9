"""Mosquitto's side of device authentication: the files Misto writes for a broker.

Misto never edits a broker's configuration; it writes files for one. ``misto iot
mosquitto-files`` writes the password and ACL files for an operator's own Mosquitto (the
platform's consumer account comes from ``MQTT_URL``). ``misto iot broker-config`` writes a
whole configuration for a Mosquitto of Misto's own, listening on loopback only: ``make run``
starts it, so the demo never relies on a shared broker that lets anyone in.
"""

from __future__ import annotations

import getpass
import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from misto.iot import conf, services

PASSWORD_FILE = "misto.passwd"
ACL_FILE = "misto.acl"
CONFIG_FILE = "mosquitto.conf"
URL_FILE = "mqtt_url"  # the consumer's MQTT_URL, with its password: make run reads it
CONSUMER_USER = "misto"


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, never readable by others even for an instant."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file may have been created with wider rights
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def write_auth_files(folder: Path, consumer: tuple[str, str] | None) -> None:
    """``misto.passwd`` and ``misto.acl`` for the city's tenant (see services.mosquitto_files)."""
    passwords, acl = services.mosquitto_files(conf.tenant(), consumer)
    write_private(folder / PASSWORD_FILE, passwords)
    (folder / ACL_FILE).write_text(acl)


def consumer_from_url() -> tuple[str, str] | None:
    """The platform's consumer account named in ``MQTT_URL``, if it names one."""
    settings = conf.mqtt_settings()
    if settings is None or not settings.username or not settings.password:
        return None
    return settings.username, settings.password


def _consumer_password(folder: Path) -> str:
    """The password already in ``mqtt_url`` (a running consumer keeps working), else a new one."""
    existing = folder / URL_FILE
    if existing.exists():
        password = urlparse(existing.read_text().strip()).password
        if password:
            return password
    return secrets.token_urlsafe(24)  # URL-safe: goes into MQTT_URL as it is


def broker_config(folder: Path, port: int) -> str:
    """Write the files of Misto's own broker on ``127.0.0.1:<port>``; return its MQTT_URL."""
    folder = folder.resolve()
    (folder / "data").mkdir(parents=True, exist_ok=True)
    password = _consumer_password(folder)
    url = f"mqtt://{CONSUMER_USER}:{password}@127.0.0.1:{port}"
    write_auth_files(folder, (CONSUMER_USER, password))
    (folder / CONFIG_FILE).write_text(
        "# Misto's own Mosquitto, written by `misto iot broker-config` (make run rewrites it).\n"
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        f"password_file {folder / PASSWORD_FILE}\n"
        f"acl_file {folder / ACL_FILE}\n"
        "persistence true\n"
        f"persistence_location {folder / 'data'}/\n"
        "# A stopped consumer's session keeps this many QoS 1 messages (default 1000).\n"
        "max_queued_messages 100000\n"
        f"pid_file {folder / 'mosquitto.pid'}\n"
        f"log_dest file {folder / 'mosquitto.log'}\n"
        # Started as root, Mosquitto would switch to a user that cannot read these files.
        f"user {getpass.getuser()}\n"
    )
    write_private(folder / URL_FILE, url + "\n")
    return url
