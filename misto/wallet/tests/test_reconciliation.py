"""Daily reconciliation: the acquirer's statement (LiqPay's report shape, JSON or CSV) matched
with the wallet's top-ups of the day; discrepancies kept and shown; a bad row refuses the
import naming its number."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation

from misto.testing import make_staff
from misto.wallet import services
from misto.wallet.errors import WalletError
from misto.wallet.models import Account, Reconciliation, TopUp

pytestmark = pytest.mark.django_db


def _paid(account: Account, amount: int) -> TopUp:
    return services.demo_pay(services.do_start_topup(account, amount))


def _yesterday(*topups: TopUp) -> None:
    """Settle the top-ups at noon yesterday (a closed day)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    TopUp.objects.filter(pk__in=[t.pk for t in topups]).update(
        settled_at=noon - timedelta(days=1))


def _day() -> Any:
    return timezone.localdate() - timedelta(days=1)


def test_the_demo_statement_matches_and_discrepancies_are_named(account: Account) -> None:
    first, second, third = (_paid(account, amount) for amount in (10_000, 5_000, 2_500))
    _yesterday(first, second, third)
    statement = json.loads(services.demo_statement(_day()))
    assert statement["result"] == "success" and len(statement["data"]) == 3
    assert {row["amount"] for row in statement["data"]} == {"100.00", "50.00", "25.00"}
    clean = services.do_reconcile("demo", _day(), json.dumps(statement))
    assert (clean.matched, clean.items, clean.all_match) == (3, [], True)
    lost = str(uuid4())
    rows = statement["data"]
    by_order = {row["order_id"]: row for row in rows}
    by_order[str(first.order_id)]["amount"] = "99.00"  # the acquirer took a different sum
    # the wallet credited money the acquirer does not report
    rows.remove(by_order[str(third.order_id)])
    # the acquirer took money the wallet never credited (a lost callback)
    rows.append({**by_order[str(second.order_id)], "order_id": lost,
                 "payment_id": "lost-callback", "amount": "70.00"})
    rows.append({**rows[0], "order_id": str(uuid4()), "status": "failure"})  # skipped
    result = services.do_reconcile("demo", _day(), json.dumps(statement),
                                   by=make_staff("reconciler", "clerk"))
    found = {item["status"]: item for item in result.items}
    assert result.matched == 1 and set(found) == {"amount_differs", "missing_in_wallet",
                                                  "missing_at_acquirer"}
    assert found["amount_differs"]["statement_kop"] == 9_900
    assert found["missing_in_wallet"] == {"status": "missing_in_wallet", "order_id": lost,
                                          "payment_id": "lost-callback", "statement_kop": 7_000,
                                          "wallet_kop": None}
    assert found["missing_at_acquirer"]["order_id"] == str(third.order_id)
    assert (result.statement_total, result.wallet_total) == (9_900 + 5_000 + 7_000, 17_500)
    assert Reconciliation.objects.count() == 2  # every import is kept


def test_a_csv_export_is_read_too(account: Account) -> None:
    topup = _paid(account, 12_345)
    _yesterday(topup)
    settled = TopUp.objects.get(pk=topup.pk).settled_at
    assert settled is not None
    when = timezone.localtime(settled).strftime("%Y-%m-%d %H:%M:%S")
    text = ("order_id;payment_id;amount;currency;status;end_date\n"
            f"{topup.order_id};p-1;123,45;UAH;success;{when}\n")
    result = services.do_reconcile("demo", _day(), text)
    assert result.matched == 1 and result.all_match


BAD_ROWS = [
    ({"order_id": "not-a-uuid"}, "order"),
    ({"amount": "ten"}, "amount"),
    ({"amount": "10.005"}, "kopiyky"),
    ({"amount": "-5.00"}, "kopiyky"),
    ({"currency": "USD"}, "UAH"),
    ({"status": ""}, "status"),
    ({"end_date": "yesterday"}, "settlement"),
    ({"end_date": 0}, "another day"),
]


@pytest.mark.parametrize(("change", "words"), BAD_ROWS)
def test_a_bad_row_is_refused_with_its_number(account: Account, change: dict[str, Any],
                                              words: str) -> None:
    topup = _paid(account, 1_000)
    _yesterday(topup)
    statement = json.loads(services.demo_statement(_day()))
    good = statement["data"][0]
    statement["data"] = [good, {**good, "order_id": str(uuid4()), **change}]
    with pytest.raises(WalletError) as refused, translation.override("en"):
        services.do_reconcile("demo", _day(), json.dumps(statement))
    assert refused.value.code == "bad_statement" and refused.value.status == 400
    assert refused.value.message.startswith("Statement row 2:") and words in \
        refused.value.message
    assert not Reconciliation.objects.exists()


@pytest.mark.parametrize("text", ["{not json", '{"result": "error"}', '{"data": 5}',
                                  "order_id,amount\n1,2\n", "[1]"])
def test_unreadable_statements_are_refused(fares: None, text: str) -> None:
    with pytest.raises(WalletError) as refused:
        services.do_reconcile("demo", _day(), text)
    assert refused.value.code == "bad_statement"


def test_the_command(account: Account, tmp_path: Path) -> None:
    topup = _paid(account, 4_000)
    _yesterday(topup)
    out = StringIO()
    call_command("wallet", "statement", "--day", _day().isoformat(), stdout=out)
    path = tmp_path / "statement.json"
    path.write_text(out.getvalue(), "utf-8")
    report = StringIO()
    call_command("wallet", "reconcile", str(path), "--provider", "demo", "--day",
                 _day().isoformat(), stdout=report)
    assert "matched 1; discrepancies 0" in report.getvalue()
    path.write_text('{"result": "success", "data": [{"order_id": "x"}]}', "utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("wallet", "reconcile", str(path), "--provider", "demo", "--day",
                     _day().isoformat(), stdout=StringIO())
    assert "1" in str(refused.value)
    path.write_text('{"result": "success", "data": []}', "utf-8")
    with pytest.raises(CommandError):  # the wallet's top-up is missing at the acquirer
        call_command("wallet", "reconcile", str(path), "--provider", "demo", "--day",
                     _day().isoformat(), stdout=StringIO())


def test_the_page(account: Account) -> None:
    topup = _paid(account, 3_000)
    _yesterday(topup)
    client = Client()
    client.force_login(make_staff("page-reconciler", "clerk"))
    statement = client.get(f"/wallet/staff/reconciliation/?demo_statement={_day()}")
    assert statement.status_code == 200 and str(topup.order_id) in statement.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    done = client.post("/wallet/staff/reconciliation/", {
        "provider": "demo", "day": _day().isoformat(),
        "statement": SimpleUploadedFile("s.json", statement.content)})
    assert done.status_code == 303
    detail = client.get(done["Location"])
    assert detail.status_code == 200 and 'data-testid="clean"' in detail.content.decode()
    bad = client.post("/wallet/staff/reconciliation/", {
        "provider": "demo", "day": _day().isoformat(),
        "statement": SimpleUploadedFile("s.json", b'{"data": [{"order_id": "x"}]}')})
    assert bad.status_code == 400 and "1" in bad.content.decode()
    listed = client.get("/wallet/staff/reconciliation/").content.decode()
    assert "demo" in listed
    auditor = Client()
    auditor.force_login(make_staff("page-auditor", "auditor"))
    assert auditor.get("/wallet/staff/reconciliation/").status_code == 403
