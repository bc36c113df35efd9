"""The machines' IoT API: devices and gateways posting readings, LoRaWAN network servers.

``POST /api/iot/readings`` is a route of the site's API; the network servers' webhooks are
their own small API at ``/iot/webhooks/`` (a published interface: ChirpStack v4's HTTP
integration and The Things Stack v3's webhook are configured with those URLs), answering
in the same error body. Neither authenticates a person: a device token or an
integration's secret header. A refused message is a dead letter and the 400 answer names
it (``dead_letter``); a message is stored whole or not at all.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from misto.core.apierrors import add_error_handlers
from misto.core.schemas import refusals
from misto.iot import intake, services
from misto.iot.api.schemas import StoredOut
from misto.iot.errors import IotCode, IotError
from misto.iot.ingest import parse_chirpstack_up, parse_http_batch, parse_ttn_uplink

router = Router()

READINGS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["readings"], "properties": {"readings": {
        "type": "array", "minItems": 1, "maxItems": 1000, "items": {
            "type": "object", "required": ["ts"], "properties": {
                "device": {"type": "string"}, "ts": {"type": "string", "format": "date-time"},
                "values": {"type": "object", "additionalProperties": {"type": "number"}},
                "payload": {"type": "string", "format": "byte"}}}}}}}}}}


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _unauthorized() -> IotError:
    return IotError(IotCode.UNAUTHORIZED,
                    _("A device token or an integration secret is needed."), status=401)


@router.post("/readings", response={202: StoredOut, **refusals(400, 401)},
             openapi_extra=READINGS_BODY)
def post_readings(request: HttpRequest) -> Status[dict[str, Any]]:
    """The HTTP batch intake for devices and gateways.

    Body ``{"readings": [{"device": "<id>", "ts": "<ISO 8601>", "values": {...}}]}``.
    Authenticate with the device's token (``Authorization: Bearer <token>``; ``device`` may
    then be left out) or an HTTP integration's secret header (any device).
    """
    token_device = services.device_for_token(_bearer(request))
    if token_device is None and services.check_integration("http", request.headers) is None:
        raise _unauthorized()
    stored = intake.ingest_http(
        "http", request.path, request.body,
        lambda data, registry: parse_http_batch(data, registry, token_device=token_device))
    return Status(202, {"stored": stored})


# --- the LoRaWAN network servers' webhooks, at /iot/webhooks/ ------------------------------

webhooks = NinjaAPI(
    title="Misto LoRaWAN webhooks", version="1", urls_namespace="iot:webhooks",
    description="ChirpStack v4 HTTP integration (JSON) and The Things Stack v3 webhook "
    "(uplink_message), authenticated by the integration's secret header.",
    openapi_url="/openapi.json", docs_url=None,
)
add_error_handlers(webhooks)

UPLINK_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object"}}}}}


class ChirpstackQuery(Schema):
    event: str = Field("", description="The integration's event type; only up carries "
                                       "readings, others are acknowledged (204).")


def _integration(request: HttpRequest, kind: str) -> None:
    if services.check_integration(kind, request.headers) is None:
        raise IotError(IotCode.UNAUTHORIZED,
                       _("Missing or wrong integration secret header."), status=401)


@webhooks.post("/chirpstack", response={200: StoredOut, 204: None, **refusals(400, 401)},
               url_name="chirpstack", openapi_extra=UPLINK_BODY)
def chirpstack(request: HttpRequest, params: Query[ChirpstackQuery]
               ) -> Status[dict[str, Any] | None]:
    """ChirpStack v4 HTTP integration (JSON encoding). Only ``event=up`` carries readings."""
    _integration(request, "chirpstack")
    if params.event != "up":
        return Status(204, None)  # join, status, ack, txack, log...: nothing to store
    return Status(200, {"stored": intake.ingest_http(
        "chirpstack", request.get_full_path(), request.body, parse_chirpstack_up)})


@webhooks.post("/ttn", response={200: StoredOut, **refusals(400, 401)}, url_name="ttn",
               openapi_extra=UPLINK_BODY)
def ttn(request: HttpRequest) -> dict[str, Any]:
    """The Things Stack v3 webhook for uplink messages (enable only "Uplink message")."""
    _integration(request, "ttn")
    return {"stored": intake.ingest_http("ttn", request.get_full_path(), request.body,
                                           parse_ttn_uplink)}
