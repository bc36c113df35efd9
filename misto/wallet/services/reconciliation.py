"""Daily reconciliation of the wallet's top-ups against the acquirer's statement.

The statement is LiqPay's report for the day in the shape its ``reports`` API answers (JSON:
``{"result": "success", "data": [payment, ...]}``, or the bare list), or the same fields as
CSV columns (a cabinet export): per payment ``order_id``, ``payment_id``, ``amount``
(hryvnias, at most two decimals), ``currency`` (UAH), ``status`` and ``end_date`` (when it
settled: LiqPay's milliseconds since the epoch, or an ISO date-time). Only successful
payments count (``success``; ``sandbox`` for a sandbox merchant); others are read, checked
and skipped. A row that cannot be read, or settled on another day, refuses the whole import
naming its row (1 = the first payment), so nothing half-read is kept.

The wallet's side is its top-ups through that provider settled (paid) on the same local day.
Each order is then one of: matched (same order, same amount), ``amount_differs``,
``missing_in_wallet`` (the acquirer took the money but the wallet credited nothing that day:
a lost callback, or a callback on another day), ``missing_at_acquirer`` (the wallet credited
money the acquirer does not report). The result is kept (``Reconciliation``) with the
discrepancies; order ids and payment ids only, nothing about the payer.

The demo provider produces the same shape (``demo_statement``), so the demo and the tests run
the whole path.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.workdays import local_day
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.models import Reconciliation, TopUp, TopUpStatus
from misto.wallet.services.payments import PROVIDERS

SUCCESS = frozenset({"success", "sandbox"})
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024


class Status:
    AMOUNT_DIFFERS = "amount_differs"
    MISSING_IN_WALLET = "missing_in_wallet"
    MISSING_AT_ACQUIRER = "missing_at_acquirer"


@dataclass(frozen=True)
class StatementRow:
    row: int
    order_id: str
    payment_id: str
    amount: int  # kopiyky
    paid: bool


def _refuse(row: int, message: str) -> WalletError:
    return WalletError(WalletCode.BAD_STATEMENT,
                       _("Statement row %(row)d: %(problem)s") % {"row": row,
                                                                   "problem": message},
                       field=f"row {row}")


def _records(text: str) -> list[dict[str, Any]]:
    """The statement's payments as dicts, from LiqPay's JSON answer or a CSV export."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            parsed = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise WalletError(WalletCode.BAD_STATEMENT,
                              _("The statement is not valid JSON (line %(line)d).")
                              % {"line": error.lineno}, field="statement") from None
        if isinstance(parsed, dict):
            if parsed.get("result", "success") != "success":
                raise WalletError(WalletCode.BAD_STATEMENT,
                                  _("The acquirer's answer is not a successful report."),
                                  field="statement")
            parsed = parsed.get("data")
        if not isinstance(parsed, list):
            raise WalletError(WalletCode.BAD_STATEMENT,
                              _("The statement holds no list of payments."), field="statement")
        return parsed
    reader = csv.DictReader(io.StringIO(stripped), delimiter=_delimiter(stripped))
    needed = {"order_id", "amount", "currency", "status", "end_date"}
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise WalletError(WalletCode.BAD_STATEMENT,
                          _("The statement's header lacks the columns: %(columns)s.")
                          % {"columns": ", ".join(sorted(missing))}, field="statement")
    return list(reader)


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _settled(value: Any) -> datetime:
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def parse_statement(text: str, day: date) -> list[StatementRow]:
    """Every payment of the statement checked; the first bad one refuses all, by its row."""
    records = _records(text)
    if len(records) > MAX_ROWS:
        raise WalletError(WalletCode.BAD_STATEMENT,
                          _("A statement holds at most %(n)d payments.") % {"n": MAX_ROWS},
                          field="statement")
    start, end = local_day(day)
    rows, seen = [], set()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise _refuse(number, _("not a payment record."))
        try:
            order = str(UUID(str(record.get("order_id", "")).strip()))
        except ValueError:
            raise _refuse(number, _("the order id is missing or not one of the wallet's."))\
                from None
        try:
            hryvnias = Decimal(str(record.get("amount", "")).strip().replace(",", "."))
        except InvalidOperation:
            raise _refuse(number, _("the amount is not a number.")) from None
        kopiyky = hryvnias * 100
        if not kopiyky.is_finite() or kopiyky != kopiyky.to_integral() or kopiyky <= 0:
            raise _refuse(number, _("the amount is not a positive sum in whole kopiyky."))
        if str(record.get("currency", "")).strip().upper() != "UAH":
            raise _refuse(number, _("the currency is not UAH."))
        status = str(record.get("status", "")).strip().lower()
        if not status:
            raise _refuse(number, _("the status is missing."))
        try:
            settled = _settled(record.get("end_date", ""))
        except (ValueError, OverflowError, OSError):
            raise _refuse(number, _("the settlement time cannot be read.")) from None
        if not start <= settled < end:
            raise _refuse(number, _("the payment settled on another day than %(day)s.")
                          % {"day": day.isoformat()})
        paid = status in SUCCESS
        if paid and order in seen:
            raise _refuse(number, _("the order is paid twice in the statement."))
        if paid:
            seen.add(order)
        rows.append(StatementRow(number, order, str(record.get("payment_id", ""))[:80],
                                 int(kopiyky), paid))
    return rows


def check_provider(code: str) -> str:
    if code not in PROVIDERS:
        raise WalletError(WalletCode.INVALID, _("There is no such payment provider."),
                          field="provider")
    return code


def wallet_topups(provider: str, day: date) -> dict[str, TopUp]:
    start, end = local_day(day)
    return {str(topup.order_id): topup for topup in TopUp.objects.filter(
        provider=provider, status=TopUpStatus.PAID, settled_at__gte=start, settled_at__lt=end)}


def do_reconcile(provider: str, day: date, text: str, by: Any = None) -> Reconciliation:
    """Match the statement against the day's top-ups and keep the result."""
    check_provider(provider)
    if day > timezone.localdate():
        raise WalletError(WalletCode.INVALID, _("A statement is for a day that has begun."),
                          field="day")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise WalletError(WalletCode.BAD_STATEMENT, _("The statement is too large."),
                          field="statement")
    rows = [row for row in parse_statement(text, day) if row.paid]
    ours = wallet_topups(provider, day)
    wallet_total = sum(topup.amount for topup in ours.values())
    items, matched = [], 0
    for row in rows:
        topup = ours.pop(row.order_id, None)
        if topup is None:
            items.append(_item(Status.MISSING_IN_WALLET, row.order_id, row.payment_id,
                               row.amount, None))
        elif topup.amount != row.amount:
            items.append(_item(Status.AMOUNT_DIFFERS, row.order_id, row.payment_id, row.amount,
                               topup.amount))
        else:
            matched += 1
    for order, topup in sorted(ours.items()):
        items.append(_item(Status.MISSING_AT_ACQUIRER, order, "", None, topup.amount))
    with transaction.atomic():
        return Reconciliation.objects.create(
            day=day, provider=provider, by=by if getattr(by, "pk", None) else None,
            statement_rows=len(rows), statement_total=sum(row.amount for row in rows),
            wallet_total=wallet_total,
            matched=matched, items=items)


def _item(status: str, order: str, payment: str, statement: int | None,
          wallet: int | None) -> dict[str, Any]:
    return {"status": status, "order_id": order, "payment_id": payment,
            "statement_kop": statement, "wallet_kop": wallet}


def demo_statement(day: date) -> str:
    """What the demo provider's acquirer would report for ``day`` (LiqPay's shape)."""
    data = []
    for order, topup in sorted(wallet_topups("demo", day).items()):
        settled = topup.settled_at or topup.created_at
        data.append({"payment_id": f"demo-{topup.order_id.hex[:12]}", "order_id": order,
                     "action": "pay", "status": "success", "currency": "UAH",
                     "amount": f"{topup.amount // 100}.{topup.amount % 100:02d}",
                     "description": "City wallet top-up",
                     "create_date": int(topup.created_at.timestamp() * 1000),
                     "end_date": int(settled.timestamp() * 1000)})
    return json.dumps({"result": "success", "data": data}, ensure_ascii=False, indent=1)


def reconciliations(limit: int = 30) -> list[Reconciliation]:
    return list(Reconciliation.objects.all()[:limit])


def access_reconciliation(pk: int) -> Reconciliation:
    found = Reconciliation.objects.filter(pk=pk).first()
    if found is None:
        raise WalletError(WalletCode.NOT_FOUND, _("There is no such reconciliation."))
    return found
