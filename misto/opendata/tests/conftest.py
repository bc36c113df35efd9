"""The open-data test world: the demo city (``misto demo``, which publishes every declared
dataset once), loaded once per test module and rolled back after it; and a ``ckanapi``
client that talks to the test server through Django's test client."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from ckanapi import RemoteCKAN
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from misto.core import outbox


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        while outbox.deliver_due(limit=5000):
            pass
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city: None, db: None) -> None:
    """The demo city, for one test (its changes rolled back after it)."""


class _Answer:
    def __init__(self, status_code: int, text: str) -> None:
        self.status_code, self.text = status_code, text


class DjangoSession:
    """What ckanapi needs of a ``requests.Session`` (``post`` and ``get``), answered by the
    Django test client: ckanapi itself builds the requests and reads the answers."""

    def __init__(self) -> None:
        self.client = Client()

    def post(self, url: str, data: Any = None, headers: dict[str, str] | None = None,
             **_kwargs: Any) -> _Answer:
        content_type = (headers or {}).get("Content-Type", "application/json")
        response = self.client.post(urlsplit(url).path, data=data or b"",
                                    content_type=content_type)
        return _Answer(response.status_code, response.content.decode())

    def get(self, url: str, params: dict[str, Any] | None = None, **_kwargs: Any) -> _Answer:
        shown = {key: json.dumps(value) if isinstance(value, list | dict) else value
                 for key, value in (params or {}).items()}
        response = self.client.get(urlsplit(url).path, shown)
        return _Answer(response.status_code, response.content.decode())

    def close(self) -> None:
        pass


@pytest.fixture
def ckan() -> RemoteCKAN:
    return RemoteCKAN("http://testserver", session=DjangoSession())


@pytest.fixture
def ckan_get() -> RemoteCKAN:
    return RemoteCKAN("http://testserver", session=DjangoSession(), get_only=True)
