"""Receipts as PDF: any movement of the resident's (top-up, pass, fare, a city service such as
parking, refund), in their language with Cyrillic embedded; another's is a 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from misto.core import payments
from misto.testing import make_staff
from misto.testing.world import make_resident, signed_in
from misto.wallet import demo, services
from misto.wallet.models import Account, Transfer, TransferKind, Validator
from misto.wallet.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    resources: Any = reader.pages[0]["/Resources"]
    fonts = resources["/Font"]
    return {str(fonts[name].get_object()["/BaseFont"]) for name in fonts}


def _receipt(client: Client, transfer: Transfer, via_api: bool = False) -> Any:
    if via_api:
        return client.get(f"/api/wallet/account/history/{transfer.pk}/receipt")
    return client.get(f"/wallet/receipts/{transfer.pk}/")


def test_receipts_for_every_kind_of_movement(rider: Any, account: Account,
                                             validator: Validator) -> None:
    top_up(account, 20_000)
    services.do_buy_pass(account, services.check_product("trips-10"), "receipt-pass")
    services.apply_taps(validator, [services.TapIn("receipt-tap", "", timezone.now(),
                                                   services.do_issue_card(account).number)])
    # A capped day of a trips pass: the first ride uses a trip (no money); spend the fare
    # through another module's service instead, as parking does.
    payments.charge(rider, 4_250, purpose="parking", key="session-1", memo="P1")
    found = services.do_request(account, 1_000, "повернення за паркування",
                                make_staff("r-asker", "clerk"))
    services.do_approve(make_staff("r-approver", "clerk"), found.pk)
    client = signed_in(rider)
    kinds = {}
    for transfer in Transfer.objects.filter(postings__account=account).order_by("pk"):
        answer = _receipt(client, transfer)
        assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
        kinds[transfer.kind] = _text(answer.content)
    assert set(kinds) == {TransferKind.TOPUP, TransferKind.PASS, TransferKind.SERVICE,
                          TransferKind.CORRECTION}
    assert "200,00" in kinds[TransferKind.TOPUP] and "Квитанція" in kinds[TransferKind.TOPUP]
    assert "-130,00" in kinds[TransferKind.PASS] and "70,00" in kinds[TransferKind.PASS]
    assert "-42,50" in kinds[TransferKind.SERVICE] and "27,50" in kinds[TransferKind.SERVICE]
    assert "parking" in kinds[TransferKind.SERVICE]
    refund = kinds[TransferKind.CORRECTION]
    assert "10,00" in refund and "37,50" in refund and "другим працівником" in refund


def test_a_fare_receipt_in_english_with_the_font_embedded(rider: Any, account: Account,
                                                          validator: Validator) -> None:
    top_up(account, 5_000)
    card = services.do_issue_card(account)
    services.apply_taps(validator, [services.TapIn("fare-tap", "", timezone.now(), card.number)])
    fare = Transfer.objects.get(kind=TransferKind.FARE)
    client = signed_in(rider)
    answer = client.get(f"/api/wallet/account/history/{fare.pk}/receipt",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    text = _text(answer.content)
    assert f"Receipt No. {fare.pk}" in text and "-15.00" in text and "35.00" in text
    assert demo.DEMO_VALIDATOR[0] in text
    assert any("DejaVu" in font for font in _fonts(answer.content))  # embedded, Cyrillic
    uk = _text(_receipt(client, fare).content)
    assert "Проїзд" in uk and "-15,00" in uk


def test_anothers_receipt_is_the_same_404_as_none(rider: Any, account: Account) -> None:
    top_up(account, 1_000)
    mine = Transfer.objects.get(kind=TransferKind.TOPUP)
    stranger = signed_in(make_resident("stranger"))
    for path in (f"/wallet/receipts/{mine.pk}/", "/wallet/receipts/999999/"):
        assert stranger.get(path).status_code == 404
    for path in (f"/api/wallet/account/history/{mine.pk}/receipt",
                 "/api/wallet/account/history/999999/receipt"):
        answer = stranger.get(path)
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert Client().get(f"/wallet/receipts/{mine.pk}/").status_code == 302  # sign in first
    page = signed_in(rider).get("/wallet/").content.decode()
    assert f"/wallet/receipts/{mine.pk}/" in page
