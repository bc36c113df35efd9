"""The open-data test world: the demo city (``misto demo``, which publishes every declared
dataset once), loaded once per test module and rolled back after it; and a ``ckanapi``
client that talks to the test server through Django's test client."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from ckanapi import RemoteCKAN
from django.test import Client


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
