"""The signed-in resident's own wallet: balance, history, passes, top-ups, ride tokens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.security import django_auth

from misto.core.schemas import DbId, refusals
from misto.wallet import services
from misto.wallet.api.convert import account_out, movement_out, pass_out
from misto.wallet.api.schemas import (
    AccountOut,
    BuyPassIn,
    MovementOut,
    PassOut,
    RegisterCardIn,
    TopUpIn,
    TopUpOut,
    WalletCardOut,
    WalletTokenOut,
)
from misto.wallet.models import Card, Pass

router = Router(tags=["wallet: resident"], auth=django_auth)


@router.get("/account", response={200: AccountOut, **refusals(401, 404)},
            summary="My balance and ride-on-credit limit")
def account(request: HttpRequest) -> AccountOut:
    return account_out(services.access_account(request.user))


@router.get("/account/history", response={200: list[MovementOut], **refusals(401, 404)},
            summary="My wallet's movements, newest first")
def history(request: HttpRequest) -> list[MovementOut]:
    return [movement_out(row) for row in
            services.history(services.access_account(request.user))]


@router.get("/account/passes", response={200: list[PassOut], **refusals(401, 404)},
            summary="My passes still valid")
def passes(request: HttpRequest) -> list[PassOut]:
    return [pass_out(p) for p in services.active_passes(services.access_account(request.user))]


@router.post("/account/topups", response={201: TopUpOut, **refusals(401, 404)},
             summary="Start a top-up; the provider's signed callback credits it")
def topup(request: HttpRequest, body: TopUpIn) -> Status[TopUpOut]:
    account = services.access_account(request.user)
    started = services.do_start_topup(account, body.amount_kop, body.provider)
    return Status(201, TopUpOut(order_id=str(started.order_id), amount_kop=started.amount,
                                status=started.status,
                                pay_url=services.provider(started.provider).checkout(started)))


@router.post("/account/passes", response={201: PassOut, **refusals(401, 404, 409)},
             summary="Buy a pass from the balance (a retry with the same request_id buys once)")
def buy_pass(request: HttpRequest, body: BuyPassIn) -> Status[PassOut]:
    account = services.access_account(request.user)
    product = services.check_product(body.product)
    try:
        bought = services.do_buy_pass(account, product, body.request_id)
    except services.Duplicate as duplicate:
        bought = Pass.objects.select_related("product").get(transfer=duplicate.transfer)
    return Status(201, pass_out(bought))


@router.post("/account/tokens", response={201: WalletTokenOut, **refusals(401, 404, 409)},
             summary="A signed ride token for the phone's QR (short validity, one ride)")
def token(request: HttpRequest) -> Status[WalletTokenOut]:
    signed, expires = services.issue_token(services.access_account(request.user))
    return Status(201, WalletTokenOut(token=signed, expires_at=expires))


def card_out(card: Card) -> WalletCardOut:
    return WalletCardOut(id=card.pk, number=card.masked, issued_at=card.issued_at,
                         blocked_at=card.blocked_at, replaced_by=card.replaced_by_id)


@router.get("/account/cards", response={200: list[WalletCardOut], **refusals(401, 404)},
            summary="My city cards, in use first")
def cards(request: HttpRequest) -> list[WalletCardOut]:
    return [card_out(c) for c in services.cards_of(services.access_account(request.user))]


@router.post("/account/cards", response={201: WalletCardOut, **refusals(401, 404, 409)},
             summary="A new city card on my wallet (its number; the card office prints it)")
def issue_card(request: HttpRequest) -> Status[WalletCardOut]:
    return Status(201, card_out(services.do_issue_card(services.access_account(request.user))))


@router.post("/account/cards/{card_id}/block",
             response={200: WalletCardOut, **refusals(401, 404)},
             summary="Block a lost or stolen card (validators refuse it from their next list)")
def block_card(request: HttpRequest, card_id: DbId) -> WalletCardOut:
    return card_out(services.do_block_card(services.access_card(request.user, card_id)))


@router.post("/account/cards/{card_id}/replace",
             response={201: WalletCardOut, **refusals(401, 404, 409)},
             summary="Block a card and give its replacement a new number on the same wallet")
def replace_card(request: HttpRequest, card_id: DbId) -> Status[WalletCardOut]:
    return Status(201, card_out(services.do_replace_card(services.access_card(request.user,
                                                                              card_id))))


@router.post("/account/cards/register", response={201: WalletCardOut, **refusals(401, 403, 404,
                                                                                409)},
             summary="Register an anonymous city card to me (its number and the code on its "
                     "sleeve): its balance moves to my wallet")
def register_card(request: HttpRequest, body: RegisterCardIn) -> Status[WalletCardOut]:
    return Status(201, card_out(services.do_register_card(request.user, body.number,
                                                          body.code)))


@router.get("/account/history/{transfer_id}/receipt",
            response={200: bytes, **refusals(401, 404)},
            openapi_extra={"responses": {"200": {"content": {"application/pdf": {}}}}},
            summary="A receipt for one of my movements, as PDF (another's is a 404)")
def receipt(request: HttpRequest, transfer_id: DbId) -> HttpResponse:
    found = services.access_receipt(request.user, transfer_id)
    return pdf_response(services.receipt_pdf(found), found.transfer.pk)


def pdf_response(content: bytes, number: int) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
