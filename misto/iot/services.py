"""The IoT module's domain logic: registry, credentials, time-series reads, periodic jobs.

Views, the API, commands and tasks call these functions; the hot path of ingestion is
:func:`misto.iot.storage.store_readings`, fed by :mod:`misto.iot.ingest` (and, for the
HTTP channels, by :mod:`misto.iot.intake`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from misto.core import uplinks
from misto.core.bus import publish
from misto.core.errors import MistoError
from misto.core.permissions import can
from misto.iot import conf
from misto.iot.errors import IotCode, IotError
from misto.iot.events import DeviceOffline, DeviceRegistryChanged
from misto.iot.ingest import (
    DeviceInfo,
    directory,
    reset_directory,
)
from misto.iot.models import (
    Aggregate,
    Device,
    DeviceModel,
    Integration,
    Latest,
    Maintenance,
    Quantity,
    Reading,
    Rule,
    validate_uid,
)
from misto.iot.permissions import DEVICE_VIEW
from misto.twin import check_lon_lat, district_at
from misto.twin import landmark as find_landmark

# --- registry --------------------------------------------------------------------------

def _place(lon: float | None, lat: float | None, landmark: str | None
           ) -> tuple[Point | None, int | None, str]:
    """Where a device stands: a twin landmark (by public number) or a point."""
    feature_id = None
    point = None
    if landmark:
        feature = find_landmark(landmark)
        if feature is None:
            raise IotError(
                IotCode.UNKNOWN_LANDMARK,
                _("No landmark numbered %(number)s.") % {"number": landmark})
        feature_id = feature.pk
        point = feature.geometry.point_on_surface if feature.geometry.geom_type != "Point" \
            else feature.geometry
        point = Point(point.x, point.y, srid=4326)
    elif lon is not None and lat is not None:
        try:
            point = check_lon_lat(lon, lat)
        except MistoError as error:  # the twin's reason, under this module's code
            raise IotError(IotCode.BAD_COORDINATES, error.message) from None
    district = district_at(point.x, point.y) if point is not None else None
    return point, feature_id, district.katottg if district else ""


def content_hash(device: Device) -> str:
    data = {
        "uid": device.uid, "name": device.name, "model": device.model.code,
        "owner_department": device.owner_department, "feature_id": device.feature_id,
        "location": [device.location.x, device.location.y] if device.location else None,
        "district": device.district, "dev_eui": device.dev_eui, "active": device.active,
        "version": device.version,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _announce(device: Device, action: str) -> None:
    publish(DeviceRegistryChanged(
        device_id=device.uid, action=action, content_hash=content_hash(device),
        version=device.version, status="active" if device.active else "inactive",
    ))


@transaction.atomic
def register_device(uid: str, name: str, model: str | DeviceModel, *,
                    owner_department: str = "", lon: float | None = None,
                    lat: float | None = None, landmark: str | None = None,
                    dev_eui: str | None = None, public: bool = True,
                    user: Any = None) -> Device:
    """Register a device; it is useful at once (its readings are accepted and shown)."""
    try:
        validate_uid(uid)
    except ValidationError as error:
        raise IotError(IotCode.BAD_DEVICE_ID, " ".join(error.messages)) from None
    if Device.objects.filter(uid=uid).exists():
        raise IotError(IotCode.DUPLICATE, _("Device %(uid)s is already registered.") % {"uid": uid})
    if isinstance(model, str):
        found = DeviceModel.objects.filter(code=model).first()
        if found is None:
            raise IotError(IotCode.UNKNOWN_MODEL, _("No device model %(code)s.") % {"code": model})
        model = found
    if dev_eui is not None:
        dev_eui = dev_eui.upper()
        if len(dev_eui) != 16 or any(c not in "0123456789ABCDEF" for c in dev_eui):
            raise IotError(IotCode.BAD_DEV_EUI, _("A DevEUI is 16 hexadecimal digits."))
    point, feature_id, district = _place(lon, lat, landmark)
    device = Device.objects.create(
        uid=uid, name=name, model=model, owner_department=owner_department,
        feature_id=feature_id, location=point, district=district, dev_eui=dev_eui,
        public=public,
    )
    Maintenance.objects.create(device=device, kind=Maintenance.Kind.INSTALLED,
                               by=user if getattr(user, "pk", None) else None)
    _announce(device, "created")
    transaction.on_commit(reset_directory)
    return device


@transaction.atomic
def change_device(device: Device, *, user: Any = None, **changes: Any) -> Device:
    """Change a device's registry entry (name, model, place, active...), versioned."""
    place_keys = {"lon", "lat", "landmark"}
    if place_keys & changes.keys():
        point, feature_id, district = _place(changes.pop("lon", None), changes.pop("lat", None),
                                             changes.pop("landmark", None))
        device.location, device.feature_id, device.district = point, feature_id, district
    allowed = {"name", "model", "owner_department", "dev_eui", "active", "public"}
    unknown = set(changes) - allowed
    if unknown:
        raise IotError(IotCode.INVALID, f"unknown fields: {', '.join(sorted(unknown))}")
    for key, value in changes.items():
        setattr(device, key, value)
    device.version += 1
    device.save()
    _announce(device, "changed")
    transaction.on_commit(reset_directory)
    return device


def record_maintenance(device: Device, kind: str, note: str = "", user: Any = None
                       ) -> Maintenance:
    if kind not in Maintenance.Kind.values:
        raise IotError(IotCode.BAD_KIND, _("Unknown maintenance kind."))
    return Maintenance.objects.create(device=device, kind=kind, note=note,
                                      by=user if getattr(user, "pk", None) else None)


# --- credentials -----------------------------------------------------------------------

def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mosquitto_hash(password: str, iterations: int = 101) -> str:
    """A password in mosquitto_passwd's format: ``$7$<iterations>$<salt>$<PBKDF2-SHA512>``."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return (f"$7${iterations}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}")


def issue_credentials(device: Device, token: str | None = None) -> str:
    """A new secret for the device (HTTP bearer token and MQTT password); shown once.

    ``token`` is for the demo only, whose devices' secrets ``misto simulate`` derives again.
    """
    token = token or secrets.token_urlsafe(24)
    device.token_hash = token_digest(token)
    device.mqtt_password_hash = mosquitto_hash(token)
    device.save(update_fields=["token_hash", "mqtt_password_hash"])
    reset_directory()
    return token


def device_for_token(token: str) -> DeviceInfo | None:
    if not token:
        return None
    digest = token_digest(token)
    uid = Device.objects.filter(token_hash=digest).values_list("uid", flat=True).first()
    return directory().device(uid) if uid else None


def create_integration(name: str, kind: str, header_name: str = "X-Misto-Secret",
                       secret: str | None = None) -> tuple[Integration, str]:
    """A network server's or gateway's integration and its new secret (shown once).

    ``secret`` is for the demo only, whose integrations' secrets ``misto simulate`` derives
    again."""
    if kind not in Integration.Kind.values:
        raise IotError(IotCode.BAD_KIND, _("Unknown integration kind."))
    secret = secret or secrets.token_urlsafe(32)
    integration = Integration.objects.create(name=name, kind=kind, header_name=header_name,
                                             secret_hash=token_digest(secret))
    return integration, secret


def check_integration(kind: str, headers: Mapping[str, str]) -> Integration | None:
    """The active integration of ``kind`` whose secret header the request carries."""
    for integration in Integration.objects.filter(kind=kind, active=True):
        value = headers.get(integration.header_name, "")
        if value.lower().startswith("bearer "):
            value = value[7:]
        if value and hmac.compare_digest(token_digest(value), integration.secret_hash):
            return integration
    return None


def mosquitto_files(tenant: str, consumer: tuple[str, str] | None = None
                    ) -> tuple[str, str]:
    """A mosquitto password file and ACL file for every active device with credentials.

    Each device may publish only on ``misto/<tenant>/devices/<its id>/readings``: not as
    another device, not under another tenant. ``consumer`` (user, password) is the platform's
    own account, which may only read the tenant's readings. Nobody else gets in: the broker
    must also say ``allow_anonymous false``.
    """
    passwords, acl = [], []
    claimed = sorted(uplinks.channels().items())
    devices = Device.objects.exclude(mqtt_password_hash="").filter(active=True) \
        .values_list("uid", "mqtt_password_hash", "model__code").order_by("uid")
    for uid, hashed, model in devices:
        passwords.append(f"{uid}:{hashed}")
        acl.append(f"user {uid}\ntopic write {conf.readings_topic(tenant, uid)}\n" + "".join(
            f"topic write {conf.device_topic(tenant, uid, channel)}\n"
            for channel, models in claimed if model in models))
    if consumer is not None:
        username, password = consumer
        if Device.objects.filter(uid=username).exists():
            raise IotError(
                IotCode.ACCOUNT_CLASH,
                _("A device is named like the platform's MQTT account %(user)s.")
                % {"user": username})
        passwords.append(f"{username}:{mosquitto_hash(password)}")
        acl.append(f"user {username}\ntopic read {conf.readings_topic(tenant, '+')}\n" + "".join(
            f"topic read {conf.device_topic(tenant, '+', channel)}\n"
            for channel, _models in claimed))
    return "\n".join(passwords) + "\n", "\n".join(acl)


# --- reading the time series -----------------------------------------------------------

PERIODS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


def visible_devices(user: Any) -> QuerySet[Device]:
    """The devices ``user`` may see: the public ones, and every one for the registry's
    readers (``iot.device.view``)."""
    rows = Device.objects.select_related("model")
    return rows if can(user, DEVICE_VIEW) else rows.filter(public=True)


def access_device(user: Any, uid: str, action: str = DEVICE_VIEW) -> Device:
    """The device ``uid`` if ``user`` may perform ``action`` on it.

    Seeing a public device needs nothing; a private one, or any other action, needs the
    declared action. A device that is missing and one that is hidden answer the same 404,
    so the registry's private entries cannot be probed for.
    """
    device = Device.objects.select_related("model").filter(uid=str(uid)[:64]).first()
    if device is None or not ((action == DEVICE_VIEW and device.public) or can(user, action)):
        raise IotError(IotCode.NOT_FOUND, _("No device %(uid)s.") % {"uid": str(uid)[:64]},
                       status=404)
    return device


def parse_time(name: str, text: str | None) -> datetime | None:
    """A query's ISO 8601 time (``+`` of the zone may arrive as a space), or None."""
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise IotError(IotCode.BAD_TIME, _("%(name)s must be an ISO 8601 time.")
                       % {"name": name})
    return value


def check_limit(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise IotError(IotCode.BAD_NUMBER, _("%(name)s must be between %(low)s and %(high)s.")
                       % {"name": name, "low": low, "high": high})
    return value


def time_range(start: datetime | None, end: datetime | None,
               default: timedelta = timedelta(days=1)) -> tuple[datetime, datetime]:
    end = end or timezone.now()
    start = start or end - default
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise IotError(IotCode.BAD_TIME, _("Times need a time zone (e.g. 2026-01-01T00:00:00Z)."))
    if start >= end:
        raise IotError(IotCode.BAD_TIME, _("'from' must be before 'to'."))
    return start, end


def check_quantity(device: Device, quantity: str) -> None:
    if quantity not in (device.model.quantities or []):
        raise IotError(
            IotCode.UNKNOWN_QUANTITY,
            _("Device %(uid)s does not report %(quantity)s.")
            % {"uid": device.uid, "quantity": quantity[:64]})


def history(device: Device, quantity: str, start: datetime, end: datetime,
            limit: int = 10_000) -> list[tuple[datetime, float]]:
    check_quantity(device, quantity)
    rows = (Reading.objects.filter(device_id=device.pk, quantity=quantity, ts__gte=start,
                                   ts__lt=end)
            .order_by("-ts").values_list("ts", "value")[:limit])
    return sorted(rows)


def last_n(device: Device, quantity: str, n: int) -> list[tuple[datetime, float]]:
    rows = (Reading.objects.filter(device_id=device.pk, quantity=quantity)
            .order_by("-ts").values_list("ts", "value")[:n])
    return sorted(rows)


def aggregates(device: Device, quantity: str, period: str, start: datetime, end: datetime
               ) -> QuerySet[Aggregate]:
    check_quantity(device, quantity)
    if period not in PERIODS:
        raise IotError(IotCode.BAD_PERIOD, _("period must be hour or day."))
    return Aggregate.objects.filter(device_id=device.pk, quantity=quantity, period=period,
                                    start__gte=start, start__lt=end).order_by("start")


def latest(device: Device) -> dict[str, tuple[datetime, float]]:
    return {row.quantity: (row.ts, row.value) for row in Latest.objects.filter(device=device)}


@dataclass(frozen=True)
class Status:
    code: str  # online / offline / never
    last_seen: datetime | None
    battery: float | None


def offline_window(device: Device) -> timedelta:
    """No data for this long means offline: the tightest silence rule, else the model's."""
    rules = Rule.objects.filter(active=True, kind=Rule.Kind.SILENCE).filter(
        Q(device=device) | Q(model=device.model_id) | Q(district=device.district)
        | Q(device=None, model=None, district="")
    ).exclude(silence_minutes=None).values_list("silence_minutes", flat=True)
    minutes = min([int(m or 0) for m in rules] + [device.model.offline_after_minutes])
    return timedelta(minutes=minutes)


def status(device: Device, now: datetime | None = None) -> Status:
    now = now or timezone.now()
    battery = Latest.objects.filter(device=device, quantity="battery") \
        .values_list("value", flat=True).first()
    if device.last_seen is None:
        return Status("never", None, battery)
    code = "offline" if device.offline or now - device.last_seen > offline_window(device) \
        else "online"
    return Status(code, device.last_seen, battery)


def silent_devices(now: datetime | None = None) -> list[tuple[Device, Status]]:
    """Active devices with no data inside their window, or never heard from."""
    now = now or timezone.now()
    found = []
    for device in Device.objects.filter(active=True).select_related("model").order_by(
            "last_seen", "uid"):
        state = status(device, now)
        if state.code != "online":
            found.append((device, state))
    return found


# --- periodic jobs ---------------------------------------------------------------------

def detect_offline(now: datetime | None = None) -> int:
    """Announce devices that went silent (``iot.DeviceOffline``), once per silence."""
    now = now or timezone.now()
    announced = 0
    candidates = Device.objects.filter(active=True, offline=False, last_seen__isnull=False) \
        .select_related("model")
    for device in candidates:
        assert device.last_seen is not None
        if now - device.last_seen <= offline_window(device):
            continue
        with transaction.atomic():
            changed = Device.objects.filter(pk=device.pk, offline=False,
                                            last_seen=device.last_seen).update(offline=True)
            if not changed:
                continue  # data came in meanwhile, or another worker announced it
            publish(DeviceOffline(
                device_id=device.uid, device_name=device.name,
                district=device.district or None,
                lon=device.location.x if device.location else None,
                lat=device.location.y if device.location else None,
                last_seen=device.last_seen.isoformat(), back_online=False,
            ))
            announced += 1
    return announced


def refresh_aggregates(since: datetime | None = None) -> int:
    """Recompute the hourly and daily aggregates of readings since ``since`` (2 days)."""
    since = since or timezone.now() - timedelta(days=2)
    day_start = since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    hour_start = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for period, start in (("hour", hour_start), ("day", day_start)):
            if connection.vendor == "postgresql":
                unit = "hour" if period == "hour" else "day"
                bucket = f"date_trunc('{unit}', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
                param: Any = start
            else:
                fmt = "%Y-%m-%d %H:00:00" if period == "hour" else "%Y-%m-%d 00:00:00"
                bucket = f"strftime('{fmt}', ts)"
                param = connection.ops.adapt_datetimefield_value(start)
            cursor.execute(
                "INSERT INTO iot_aggregate (device_id, quantity, period, start, count, total, "
                f"minimum, maximum) SELECT device_id, quantity, %s, {bucket}, count(*), "
                "sum(value), min(value), max(value) FROM iot_reading WHERE ts >= %s "
                f"GROUP BY device_id, quantity, {bucket} "
                "ON CONFLICT (device_id, quantity, period, start) DO UPDATE SET "
                "count = excluded.count, total = excluded.total, "
                "minimum = excluded.minimum, maximum = excluded.maximum",
                [period, param],
            )
            total += max(cursor.rowcount, 0)
    return total


def apply_retention(now: datetime | None = None) -> int:
    """Delete raw readings older than their quantity's retention (aggregates stay)."""
    now = now or timezone.now()
    deleted = 0
    retention = dict(Quantity.objects.values_list("code", "retention_days"))
    if connection.vendor == "postgresql" and retention:
        deleted += _drop_old_partitions(now - timedelta(days=max(retention.values())))
    for code, days in retention.items():
        deleted += Reading.objects.filter(quantity=code, ts__lt=now - timedelta(days=days)) \
            ._raw_delete(Reading.objects.db)
    return deleted


def _drop_old_partitions(cutoff: datetime) -> int:
    dropped = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'iot_reading'"
        )
        for (name,) in cursor.fetchall():
            try:
                year, month = int(name[-6:-2]), int(name[-2:])
            except ValueError:
                continue
            upper = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            if upper <= cutoff:
                cursor.execute(f'DROP TABLE "{name}"')
                dropped += 1
    return dropped


def ensure_partitions(months_ahead: int = 3) -> int:
    if connection.vendor != "postgresql":
        return 0
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT iot_ensure_partitions(%s, %s)",
                       [now, now + timedelta(days=31 * months_ahead)])
        return int(cursor.fetchone()[0])
