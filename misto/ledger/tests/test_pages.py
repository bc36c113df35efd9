"""The public pages, the downloads and the cabinet's "My receipts" panel."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from misto.ledger import services
from misto.ledger.models import LedgerEntry
from misto.ledger.tests.conftest import deliver, fill

pytestmark = pytest.mark.django_db


def verify_url(**params: object) -> str:
    return "/ledger/verify?" + urlencode(params)


def test_the_ledger_page_lists_entries_heads_and_keys(client: Client, build_log) -> None:
    build_log(12, heads=[5])
    page = client.get("/ledger/")
    assert page.status_code == 200
    html = page.content.decode()
    head = services.latest_head()
    assert head is not None
    assert head.key.key_id in html
    assert services.sth.b64(bytes(head.root_hash)) in html
    assert 'href="/ledger/entries/11"' in html
    assert client.get("/ledger/entries/11").status_code == 200
    assert client.get("/ledger/entries/12").status_code == 404


def test_a_pasted_entry_is_proven_step_by_step(client: Client, build_log) -> None:
    entries = build_log(21)
    response = client.get(verify_url(mode="entry", index=13, entry=entries[13].decode()))
    assert response.status_code == 200
    html = response.content.decode()
    check = response.context["check"]
    assert check.proven and check.signature_ok
    assert len(check.steps) == 5  # ceil(log2(21))
    assert check.steps[-1].result == bytes(check.head.root_hash)
    assert 'class="verdict verdict-ok"' in html

    # Pretty-printed text is canonicalised and still proven, with a note.
    pretty = json.dumps(json.loads(entries[13]), indent=2, ensure_ascii=False)
    response = client.get(verify_url(mode="entry", index=13, entry=pretty))
    assert response.context["check"].proven and response.context["canonicalised"]

    # A changed entry, or the right entry at the wrong index, is not proven.
    forged = entries[13].decode().replace('"n":13', '"n":14')
    for index, text in ((13, forged), (12, entries[13].decode())):
        response = client.get(verify_url(mode="entry", index=index, entry=text))
        assert response.status_code == 200
        assert not response.context["check"].proven
        assert 'class="verdict verdict-bad"' in response.content.decode()


def test_a_receipt_is_proven_and_bad_receipts_get_reasons(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the reasons are checked in English
    receipts = [services.append("test.receipt", {"n": i}) for i in range(6)]
    response = client.get(verify_url(mode="receipt", receipt=receipts[4].as_text()))
    assert response.status_code == 404  # no head signed yet
    assert "No tree head" in response.context["problem"]
    services.issue_head()
    response = client.get(verify_url(mode="receipt", receipt=receipts[4].as_text()))
    assert response.status_code == 200 and response.context["check"].proven
    later = services.append("test.receipt", {"n": 6})
    response = client.get(verify_url(mode="receipt", receipt=later.as_text()))
    assert response.status_code == 400 and "not covered" in response.context["problem"]
    for bad in ("not json", "[1]", '{"leaf_index": -1, "leaf_hash": "AA=="}',
                '{"leaf_index": 1, "leaf_hash": "short"}', '{"leaf_index": true}'):
        response = client.get(verify_url(mode="receipt", receipt=bad))
        assert response.status_code == 400
        assert response.context["receipt_form"].errors
    response = client.get(verify_url(mode="entry", index="x", entry="{}"))
    assert response.status_code == 400 and response.context["entry_form"].errors["index"]


def test_the_verify_page_speaks_ukrainian_by_default(client: Client) -> None:
    response = client.get("/ledger/verify")
    assert response.status_code == 200
    assert '<html lang="uk">' in response.content.decode()
    with translation.override("en"):
        assert "<label" in response.content.decode()


def test_downloads_are_the_open_dataset(client: Client, build_log) -> None:
    entries = build_log(7, heads=[3])
    lines = client.get("/ledger/export/entries.jsonl").getvalue().splitlines()
    assert [json.loads(line)["entry"].encode() for line in lines] == entries
    assert len(client.get("/ledger/export/heads.json").json()) == 2
    assert client.get("/ledger/export/keys.json").json()[0]["algorithm"] == "Ed25519"
    script = client.get("/ledger/export/standalone_verify.py")
    assert b"first bad entry" in script.getvalue()
    assert client.get("/ledger/export/merkle.py").status_code == 200
    assert client.get("/ledger/export/settings.py").status_code == 404


def test_the_cabinet_shows_a_residents_receipts(client: Client) -> None:
    user_model = get_user_model()
    resident = user_model.objects.create_user("olena", password="x")
    other = user_model.objects.create_user("petro", password="x")
    mine = services.append("example.Signed", {"petition_id": 7},
                           actor=str(resident.pk))
    theirs = services.append("example.Signed", {"petition_id": 7},
                             actor=str(other.pk))
    client.force_login(resident)
    html = client.get("/cabinet/").content.decode()
    assert f"<strong>#{mine.index}</strong>" in html
    assert mine.as_text().replace('"', "&quot;") in html
    assert f"<strong>#{theirs.index}</strong>" not in html  # not the other resident's
    # The receipt link proves it once a head covers it.
    services.issue_head()
    panel = next(p for p in client.get("/cabinet/").context["panels"]
                 if p.template == "ledger/receipts_panel.html")
    link = panel.context["receipts"][0]["link"]
    assert client.get(link).context["check"].proven
    # Nothing personal is stored: only a keyed hash of the user id.
    row = LedgerEntry.objects.get(index=mine.index)
    assert row.actor_ref == services.actor_ref(str(resident.pk)) != str(resident.pk)
    assert "olena" not in row.payload and row.actor_ref not in row.payload


def test_a_resident_can_open_the_digest_of_their_own_event_entry(client: Client) -> None:
    """The digest is salted with a secret; the resident whose receipt it is sees the salt and
    the committed text, and recomputes the digest from them. Nobody else does."""
    user_model = get_user_model()
    resident = user_model.objects.create_user("olena", password="x")
    other = user_model.objects.create_user("petro", password="x")
    event = deliver("residents.RegisterChanged", {"action": "changed", "version": 2,
                                                "user_id": resident.pk})
    services.append("example.Signed", {"petition_id": 7}, actor=str(resident.pk))
    digest = json.loads(LedgerEntry.objects.get(index=0).payload)["data"]["digest"]

    client.force_login(resident)
    response = client.get("/cabinet/")
    panel = next(p for p in response.context["panels"]
                 if p.template == "ledger/receipts_panel.html")
    direct, from_event = panel.context["receipts"]  # newest first
    assert direct["opening"] is None  # written with append: no event, nothing to open
    opening = from_event["opening"]
    assert opening.salt == event.uuid.hex and opening.digest == digest
    assert hashlib.sha256(bytes.fromhex(opening.salt) + opening.payload.encode()).hexdigest() \
        == digest
    assert opening.salt in response.content.decode()
    assert services.openings_for(str(other.pk), [0, 1]) == {}
    client.force_login(other)
    assert opening.salt not in client.get("/cabinet/").content.decode()


def test_anonymous_visitors_get_no_panel(client: Client) -> None:
    fill(1)
    assert client.get("/cabinet/").status_code == 302
