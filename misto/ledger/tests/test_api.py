"""The public API at /api/ledger/: shapes, proofs a client can check, bad input."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from misto.ledger import merkle, sth
from misto.ledger.tests.conftest import fill
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def test_latest_head_inclusion_and_consistency_verify_client_side(client: Client,
                                                                  build_log) -> None:
    assert client.get("/api/ledger/heads/latest").status_code == 404
    entries = build_log(23, heads=[9])
    head = client.get("/api/ledger/heads/latest").json()
    assert set(head) == {"tree_size", "timestamp", "sha256_root_hash", "tree_head_signature",
                         "key_id"}
    assert head["tree_size"] == 23
    root = b64(head["sha256_root_hash"])
    assert root == merkle.root_hash(entries)
    keys = client.get("/api/ledger/keys").json()
    key = next(k for k in keys if k["key_id"] == head["key_id"])
    signature = sth.decode_signature(b64(head["tree_head_signature"]))
    assert signature is not None
    assert sth.verify_signature(b64(key["public_key"]), 23, head["timestamp"], root, signature)

    for index in (0, 8, 22):
        proof = client.get(f"/api/ledger/proofs/inclusion?index={index}&size=23").json()
        assert proof["leaf_index"] == index
        path = [b64(h) for h in proof["audit_path"]]
        assert merkle.verify_inclusion(entries[index], index, 23, path, root)
        entry = client.get(f"/api/ledger/entries/{index}").json()
        assert entry["entry"].encode() == entries[index]
        assert b64(entry["leaf_hash"]) == merkle.leaf_hash(entries[index])

    old = client.get("/api/ledger/heads").json()[-1]
    assert old["tree_size"] == 9
    proof = client.get("/api/ledger/proofs/consistency?first=9&second=23").json()
    assert merkle.verify_consistency(9, 23, b64(old["sha256_root_hash"]), root,
                                     [b64(h) for h in proof["consistency"]])


@pytest.mark.parametrize(("url", "status"), [
    ("/api/ledger/proofs/inclusion?index=5&size=5", 400),
    ("/api/ledger/proofs/inclusion?index=0&size=6", 400),
    ("/api/ledger/proofs/inclusion?index=0&size=99999999999999999999999", 400),
    ("/api/ledger/proofs/inclusion?index=99999999999999999999999&size=5", 400),
    ("/api/ledger/proofs/inclusion?index=-1&size=5", 422),
    ("/api/ledger/proofs/inclusion?index=a&size=5", 422),
    ("/api/ledger/proofs/inclusion?index=1.5&size=5", 422),
    ("/api/ledger/proofs/inclusion?size=5", 422),
    ("/api/ledger/proofs/inclusion?index=0&size=0", 422),
    ("/api/ledger/proofs/consistency?first=4&second=3", 400),
    ("/api/ledger/proofs/consistency?first=1&second=6", 400),
    ("/api/ledger/proofs/consistency?first=-2&second=3", 422),
    ("/api/ledger/proofs/consistency?first=x&second=3", 422),
    ("/api/ledger/entries/5", 404),
    ("/api/ledger/entries/99999999999999999999999", 404),
    ("/api/ledger/entries/-1", 404),
    ("/api/ledger/entries/abc", 422),
    ("/api/ledger/entries?start=3&end=2", 400),
    ("/api/ledger/entries?start=5&end=9", 400),
    ("/api/ledger/entries?start=-1&end=2", 422),
    ("/api/ledger/entries?start=0", 422),
])
def test_bad_parameters_get_a_reason_never_a_500(client: Client, url: str, status: int) -> None:
    fill(5)
    from misto.ledger import services

    services.issue_head()
    response = client.get(url)
    assert response.status_code == status, response.content
    body = response.json()
    assert body.get("error") or body.get("detail")


def test_mirrors_page_through_the_entries(client: Client) -> None:
    from misto.ledger import api

    fill(1005)
    first = client.get("/api/ledger/entries?start=0&end=5000").json()["entries"]
    assert len(first) == api.MAX_ENTRIES
    rest = client.get("/api/ledger/entries?start=1000&end=5000").json()["entries"]
    assert [e["leaf_index"] for e in rest] == [1000, 1001, 1002, 1003, 1004]
    assert all(merkle.leaf_hash(e["entry"].encode()) == b64(e["leaf_hash"]) for e in rest)
    assert client.get("/api/ledger/entries?start=2&end=2").json()["entries"][0]["leaf_index"] == 2


def test_issuing_a_head_on_demand_is_for_staff(client: Client) -> None:
    fill(3)
    assert client.post("/api/ledger/heads").status_code == 401
    user_model = get_user_model()
    resident = user_model.objects.create_user("resident", password="x")
    client.force_login(resident)
    assert client.post("/api/ledger/heads").status_code == 403
    staff = make_staff("admin", "it_admin")
    client.force_login(staff)
    response = client.post("/api/ledger/heads")
    assert response.status_code == 201
    assert response.json()["tree_size"] == 3


def test_the_api_is_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/ledger/heads/latest", "/api/ledger/proofs/inclusion",
                 "/api/ledger/proofs/consistency", "/api/ledger/entries/{index}",
                 "/api/ledger/keys", "/api/ledger/entries"):
        assert path in paths
