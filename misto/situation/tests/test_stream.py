"""The live stream (server-sent events) emits what changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from misto.situation import services
from misto.situation.tests.conftest import (
    ON_SHEVCHENKA,
    reading_payload,
    release_other_sessions,
    report_payload,
)

pytestmark = pytest.mark.django_db


def read_events(response, wanted: int, max_chunks: int = 20) -> list[dict]:
    events: list[dict] = []
    text = ""
    chunks = iter(response.streaming_content)
    for _ in range(max_chunks):
        text += next(chunks).decode() if isinstance(text, str) else ""
        for block in text.split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines()
                          if ": " in line and not line.startswith(":"))
            if "event" in fields and fields not in events:
                events.append(fields)
        if len(events) >= wanted:
            break
    response.close()
    return events


def test_stream_emits_an_incident_change(city, people, settings):
    client = Client()
    client.force_login(people.dispatcher)
    after = services.latest_change_id()
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA))
    response = client.get(f"/situation/stream/?after={after}&seconds=3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    events = read_events(response, 2)
    topics = {event["event"] for event in events}
    assert {"incident", "device"} <= topics
    incident = next(event for event in events if event["event"] == "incident")
    feature = json.loads(incident["data"])
    assert feature["properties"]["kind"] == "water"
    assert feature["properties"]["sources"] == [{"module": "iot", "id": "p-1:water_pressure"}]
    assert int(incident["id"]) > after


def test_stream_resumes_after_last_event_id(city, people):
    client = Client()
    client.force_login(people.dispatcher)
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA))
    seen = services.latest_change_id()
    services.ingest_report_created(report_payload(501, *ON_SHEVCHENKA))
    response = client.get("/situation/stream/?seconds=3", HTTP_LAST_EVENT_ID=str(seen))
    events = read_events(response, 1)
    assert [event["event"] for event in events] == ["incident"]
    feature = json.loads(events[0]["data"])
    assert len(feature["properties"]["sources"]) == 2


def test_stream_refuses_strangers_and_bad_ids(city, people):
    assert Client().get("/situation/stream/").status_code == 401
    member = Client()
    member.force_login(people.crew_member)
    assert member.get("/situation/stream/").status_code == 403
    staff = Client()
    staff.force_login(people.dispatcher)
    assert staff.get("/situation/stream/?after=abc").status_code == 400
    assert staff.get("/situation/stream/?after=-4").status_code == 400


def test_changes_polling_fallback(city, people):
    client = Client()
    client.force_login(people.dispatcher)
    services.ingest_report_created(report_payload(502, *ON_SHEVCHENKA))
    data = json.loads(client.get("/api/situation/changes?after=0").content)
    assert data["last"] == services.latest_change_id()
    assert [c["topic"] for c in data["changes"]] == ["incident"]


@pytest.mark.django_db(transaction=True)
def test_stream_under_asgi_is_an_async_generator(city, people):
    """Under ASGI (``misto serve``) the stream polls in an async generator."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    after = services.latest_change_id()
    services.ingest_report_created(report_payload(503, *ON_SHEVCHENKA))

    async def read() -> str:
        client = AsyncClient()
        await sync_to_async(client.force_login)(people.dispatcher)
        response: Any = await client.get(f"/situation/stream/?after={after}&seconds=2")
        assert response.status_code == 200
        assert response.is_async
        text = ""
        async for chunk in response.streaming_content:
            text += chunk.decode()
            if "event: incident" in text:
                break
        return text

    # Its own thread: Playwright's sync API may keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        text = pool.submit(asyncio.run, read()).result(timeout=60)
    release_other_sessions()
    assert "event: incident" in text and '"id":"503"' in text
