"""The IoT module's knobs, read from the environment (listed in docs/iot.md).

- ``MQTT_URL``: the broker (``mqtt://host:port``, ``mqtts://`` for TLS, user:password@ allowed);
  the consumer does not start without it.
- ``MISTO_IOT_TENANT``: the city's own tenant, the second level of its topics (default
  ``demo``). One topic level, never a wildcard: the consumer subscribes to this tenant only,
  and the broker's ACL lets a device publish under this tenant only.
- ``MISTO_MQTT_GROUP``: the MQTT 5 shared-subscription group; consumers in one group share
  the stream (scale out by starting more ``misto worker --only runners`` processes).
- ``MISTO_MQTT_CLIENT_ID``: this consumer's persistent session id; it must be stable across
  restarts (the broker keeps the QoS 1 messages of a stopped consumer for it) and unique per
  consumer process. Default ``misto-<group>-<host>-<MISTO_INGEST_INSTANCE or 0>``.
- ``MISTO_MQTT_SESSION_EXPIRY``: seconds the broker keeps a stopped consumer's session (1 day).
- ``MISTO_INGEST_BATCH``: most MQTT messages committed in one transaction (2,000).
- ``MISTO_INGEST_MAX_DELAY``: seconds a message waits for its batch to fill (0.05).
- ``MISTO_IOT_STREAMS_PER_CLIENT``: live streams (``/iot/devices/<id>/stream``) one client
  address may hold open at once in one server process (default 6); more get 429.
- ``MISTO_IOT_MAX_FUTURE`` / ``MISTO_IOT_MAX_PAST``: how far a reading's time may lie ahead of
  now (seconds, default 300) or behind it (days, default 400); others are dead letters.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from misto.core.config import env_float, env_int, env_str


@dataclass(frozen=True)
class MqttSettings:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    tenant: str
    group: str
    client_id: str
    session_expiry: int


TENANT = re.compile(r"[A-Za-z0-9_-]{1,64}")


def tenant() -> str:
    """The city's own tenant; a wildcard here would let any tenant's messages in."""
    value = env_str("MISTO_IOT_TENANT", "demo")
    if not TENANT.fullmatch(value):
        raise ValueError(f"MISTO_IOT_TENANT must be one topic level of letters, digits, '-' "
                         f"or '_' (the city's own tenant, no wildcard), got {value!r}")
    return value


def mqtt_settings() -> MqttSettings | None:
    url = env_str("MQTT_URL")
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in {"mqtt", "mqtts", "tcp", "ssl"}:
        raise ValueError(f"MQTT_URL must start with mqtt:// or mqtts://, got {url!r}")
    tls = parsed.scheme in {"mqtts", "ssl"}
    group = env_str("MISTO_MQTT_GROUP", "misto")
    instance = env_str("MISTO_INGEST_INSTANCE", "0")
    client_id = env_str(
        "MISTO_MQTT_CLIENT_ID", f"misto-{group}-{socket.gethostname()}-{instance}"
    )
    return MqttSettings(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or (8883 if tls else 1883),
        tls=tls,
        username=parsed.username,
        password=parsed.password,
        tenant=tenant(),
        group=group,
        client_id=client_id,
        session_expiry=env_int("MISTO_MQTT_SESSION_EXPIRY", 24 * 3600, minimum=0),
    )


def ingest_batch() -> int:
    return env_int("MISTO_INGEST_BATCH", 2000, minimum=1)


def ingest_max_delay() -> float:
    return env_float("MISTO_INGEST_MAX_DELAY", 0.05, minimum=0.0)


def streams_per_client() -> int:
    return env_int("MISTO_IOT_STREAMS_PER_CLIENT", 6, minimum=1)


def max_future_seconds() -> float:
    return env_float("MISTO_IOT_MAX_FUTURE", 300.0, minimum=0.0)


def max_past_days() -> float:
    return env_float("MISTO_IOT_MAX_PAST", 400.0, minimum=0.0)


def readings_topic(tenant: str, device_uid: str) -> str:
    """The MQTT topic of a device's readings (``+`` for every device): the one layout the
    consumer subscribes to, devices publish on and the broker's ACL allows."""
    return f"misto/{tenant}/devices/{device_uid}/readings"


def device_topic(tenant: str, device_uid: str, channel: str) -> str:
    """A device's topic of another channel than readings (``misto.core.uplinks``: a
    validator's ``taps``), in the same layout."""
    return f"misto/{tenant}/devices/{device_uid}/{channel}"
