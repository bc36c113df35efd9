"""Four eyes on corrections and refunds: one staff member asks, a different one with
``wallet.correction.approve`` decides; only the approval posts the balanced transfer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from misto.testing import make_staff
from misto.wallet import services
from misto.wallet.models import Account, CorrectionRequest, Transfer

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_author_cannot_approve_another_can_and_it_posts_once(account: Account) -> None:
    asker, approver = make_staff("asker", "clerk"), make_staff("approver", "clerk")
    asking, approving = _client(asker), _client(approver)
    asked = _post(asking, f"/api/wallet/accounts/{account.pk}/corrections",
                  {"amount_kop": 1500, "reason": "валідатор списав двічі", "kind": "refund"})
    assert asked.status_code == 201
    number = asked.json()["id"]
    listed = approving.get("/api/wallet/corrections").json()
    assert [row["id"] for row in listed] == [number]
    own = _post(asking, f"/api/wallet/corrections/{number}/approve", {})
    assert own.status_code == 409 and own.json()["error"] == "same_person"
    assert own.json()["detail"]  # says why, in the reader's language
    assert services.balance(account) == 0
    approved = _post(approving, f"/api/wallet/corrections/{number}/approve", {"note": "ок"})
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["requested_by"], body["decided_by"], body["note"]) == (
        "approved", "asker", "approver", "ок")
    assert services.balance(account) == 1500 and services.check_book().ok
    transfer = Transfer.objects.get(pk=body["transfer"])
    assert transfer.kind == "correction" and transfer.memo == "валідатор списав двічі"
    again = _post(approving, f"/api/wallet/corrections/{number}/approve", {})
    assert again.status_code == 409 and again.json()["error"] == "not_pending"
    assert services.balance(account) == 1500
    assert approving.get("/api/wallet/corrections").json() == []


def test_a_rejection_moves_nothing_and_keeps_both_people(account: Account) -> None:
    asker, checker = make_staff("asker2", "clerk"), make_staff("checker", "clerk")
    found = services.do_request(account, -500, "помилка", asker)
    rejected = _post(_client(checker), f"/api/wallet/corrections/{found.pk}/reject",
                     {"note": "немає підстав"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    found.refresh_from_db()
    assert (found.requested_by, found.decided_by, found.transfer) == (asker, checker, None)
    assert services.balance(account) == 0


def test_a_debit_beyond_the_balance_stays_pending(account: Account) -> None:
    found = services.do_request(account, -500, "повернути помилковий кредит",
                                make_staff("asker3", "clerk"))
    answer = _post(_client(make_staff("approver3", "clerk")),
                   f"/api/wallet/corrections/{found.pk}/approve", {})
    assert answer.status_code == 409 and answer.json()["error"] == "insufficient_funds"
    assert CorrectionRequest.objects.get(pk=found.pk).status == "pending"


@pytest.mark.parametrize(("body", "status"), [
    ({"amount_kop": 0, "reason": "нуль"}, 400),
    ({"amount_kop": -100, "reason": "повернення", "kind": "refund"}, 400),
    ({"amount_kop": 100, "reason": "x", "kind": "gift"}, 422),
    ({"amount_kop": 2_000_000, "reason": "забагато"}, 400),
])
def test_bad_requests_are_refused(account: Account, body: dict[str, Any], status: int) -> None:
    answer = _post(_client(make_staff("asker4", "clerk")),
                   f"/api/wallet/accounts/{account.pk}/corrections", body)
    assert answer.status_code == status and not CorrectionRequest.objects.exists()


def test_others_may_not_decide(account: Account) -> None:
    found = services.do_request(account, 100, "причина", make_staff("asker5", "clerk"))
    for role in ("auditor", "it_admin", "operator"):
        answer = _post(_client(make_staff(f"no-{role}", role)),
                       f"/api/wallet/corrections/{found.pk}/approve", {})
        assert answer.status_code == 403
    assert _post(_client(make_staff("approver5", "clerk")),
                 "/api/wallet/corrections/999999/approve", {}).status_code == 404


def test_the_pending_page(account: Account) -> None:
    asker, approver = make_staff("page-asker", "clerk"), make_staff("page-approver", "clerk")
    asking, approving = _client(asker), _client(approver)
    asked = asking.post("/wallet/staff/corrections/", {
        "action": "request", "account": account.pk, "kind": "correction", "amount": "12,50",
        "reason": "компенсація"})
    assert asked.status_code == 303
    found = CorrectionRequest.objects.get()
    assert found.amount == 1250 and found.requested_by == asker
    page = asking.get("/wallet/staff/corrections/").content.decode()
    assert "компенсація" in page and 'value="approve"' not in page  # not for its author
    own = asking.post("/wallet/staff/corrections/", {"action": "approve", "request": found.pk})
    assert own.status_code == 409 and services.balance(account) == 0
    listed = approving.get("/wallet/staff/corrections/")
    assert 'value="approve"' in listed.content.decode()
    done = approving.post("/wallet/staff/corrections/", {"action": "approve",
                                                          "request": found.pk})
    assert done.status_code == 303 and services.balance(account) == 1250
    debit = asking.post("/wallet/staff/corrections/", {
        "action": "request", "account": account.pk, "kind": "correction", "amount": "-2",
        "reason": "помилка"})
    assert debit.status_code == 303 and CorrectionRequest.objects.get(
        status="pending").amount == -200
    bad = asking.post("/wallet/staff/corrections/", {"action": "request", "account": "x",
                                                      "amount": "1", "reason": "a"})
    assert bad.status_code == 404
    assert _client(make_staff("page-it", "it_admin")).get(
        "/wallet/staff/corrections/").status_code == 403
