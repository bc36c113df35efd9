"""Wallet pages: thin, they call ``services`` and render (phone first).

A refusal (not enough money, a bad amount) is a message on the same page; a top-up that
is not the visitor's is the same 404 as a missing one.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from misto import residents
from misto.core.http import see_other
from misto.core.permissions import can, require
from misto.core.registry import CabinetPanel, PanelOrder
from misto.wallet import services
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.forms import kopiyky_from_text
from misto.wallet.models import BenefitRule, CorrectionKind, TopUp, TopUpStatus, Validator
from misto.wallet.permissions import (
    ACCOUNT_CORRECT,
    CARD_SELL,
    CORRECTION_APPROVE,
    RECONCILE,
    VALIDATOR_MANAGE,
)
from misto.wallet.services.payments import PROVIDERS
from misto.wallet.templatetags.wallet import uah


def _account_or_page(request: HttpRequest) -> Any:
    try:
        return services.access_account(request.user)
    except WalletError as error:
        return render(request, "wallet/no_account.html", {"message": error.message},
                      status=404)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    account = _account_or_page(request)
    if isinstance(account, HttpResponse):
        return account
    today = timezone.localdate()
    benefits = residents.benefits_on(request.user, today)
    return render(request, "wallet/home.html", {
        "balance": services.balance(account), "account": account,
        "benefits": BenefitRule.objects.filter(category__in=benefits)
        .order_by("-discount_percent"),
        "discount": services.discount_for(request.user, timezone.now()),
        "passes": services.active_passes(account), "history": services.history(account, 30),
        "rides": services.recent_rides(account, 10)})


def fares(request: HttpRequest) -> HttpResponse:
    try:
        table = services.fare_table()
    except WalletError:
        table = None
    return render(request, "wallet/fares.html", {
        "table": table, "products": services.products(),
        "rules": BenefitRule.objects.order_by("-discount_percent", "category")})


@login_required
def topup(request: HttpRequest) -> HttpResponse:
    account = _account_or_page(request)
    if isinstance(account, HttpResponse):
        return account
    amount_text = ""
    if request.method == "POST":
        amount_text = request.POST.get("amount", "")
        try:
            started = services.do_start_topup(account, kopiyky_from_text(amount_text))
        except WalletError as error:
            messages.error(request, error.message)
        else:
            return see_other(services.provider(started.provider).checkout(started))
    return render(request, "wallet/topup.html", {"amount": amount_text, "presets": (50, 100,
                                                                                   200, 500)})


def demo_pay(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """The DEMO provider's payment page (no money moves); only the payer sees it: the
    wallet's owner, or for money paid onto a card by its number whoever holds the order id
    (as with any acquirer's checkout link)."""
    mine = Q(account__user_id=int(request.user.pk or 0)) if request.user.is_authenticated \
        else Q(pk__in=[])
    started = TopUp.objects.filter(mine | Q(card__isnull=False), order_id=order_id,
                                   provider="demo").first()
    if started is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    done = reverse("wallet:card-topup") if started.card_id else reverse("wallet:home")
    if request.method == "POST" and started.status == TopUpStatus.PENDING:
        paid = request.POST.get("decision") == "pay"
        services.demo_pay(started, succeed=paid)
        if paid:
            messages.success(request, _("The wallet is topped up.") if not started.card_id
                             else _("The money is on the card."))
        else:
            messages.info(request, _("The payment was cancelled; nothing was charged."))
        return see_other(done)
    return render(request, "wallet/demo_pay.html", {"topup": started})


def card_topup(request: HttpRequest) -> HttpResponse:
    """Pay money onto a city card by its number (anyone; an anonymous card's own balance)."""
    number, amount_text = "", ""
    if request.method == "POST":
        number, amount_text = request.POST.get("card", ""), request.POST.get("amount", "")
        try:
            card = services.card_in_use(number)
            started = services.do_start_card_topup(card, kopiyky_from_text(amount_text))
        except WalletError as error:
            messages.error(request, error.message)
        else:
            return see_other(services.provider(started.provider).checkout(started))
    return render(request, "wallet/card_topup.html", {"card": number[:24],
                                                      "amount": amount_text[:12]})


@login_required
def receipt(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """A receipt for one of my movements, as PDF (another's: 404)."""
    try:
        found = services.access_receipt(request.user, transfer_id)
    except WalletError:
        raise Http404 from None
    response = HttpResponse(services.receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{found.transfer.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def passes(request: HttpRequest) -> HttpResponse:
    account = _account_or_page(request)
    if isinstance(account, HttpResponse):
        return account
    if request.method == "POST":
        try:
            product = services.check_product(request.POST.get("product", ""))
            services.do_buy_pass(account, product, request.POST.get("request_id", "")[:64]
                                 or uuid.uuid4().hex)
        except services.Duplicate:
            pass  # the same form sent twice: bought once
        except WalletError as error:
            messages.error(request, error.message)
            return see_other(reverse("wallet:passes"))
        messages.success(request, _("The pass is yours."))
        return see_other(reverse("wallet:home"))
    return render(request, "wallet/passes.html", {
        "products": services.products(), "balance": services.balance(account),
        "request_id": uuid.uuid4().hex})


CARD_ACTIONS = {"block": services.do_block_card, "replace": services.do_replace_card}
# The card actions' confirmations; "register" moves an anonymous card's balance in.
CARD_DONE = {
    "order": gettext_lazy("The card is ordered: collect it at a city service centre. It rides "
                          "from then on."),
    "block": gettext_lazy("The card is blocked: validators refuse it from their next update."),
    "replace": gettext_lazy("The card is blocked and a new number is ordered on the same "
                            "wallet."),
    "move": gettext_lazy("The money is on the child's card."),
    "register": gettext_lazy("The card is yours now: it pays from this wallet, and its balance "
                             "is here."),
}


def _card_action(request: HttpRequest, account: Any, action: str) -> None:
    """One of the cards page's forms; a refusal is a WalletError with its reason."""
    posted, child = request.POST.get("card", ""), request.POST.get("child", "")
    if action == "order" and child:
        services.do_issue_pupil_card(request.user, child)
    elif action == "order":
        services.do_issue_card(account)
    elif action in CARD_ACTIONS:
        CARD_ACTIONS[action](services.access_card(request.user,
                                                  int(posted) if posted.isdigit() else 0))
    elif action == "register":
        services.do_register_card(request.user, request.POST.get("number", ""),
                                  request.POST.get("code", ""))
    elif action == "move":
        services.do_move_to_pupil(request.user, child,
                                  kopiyky_from_text(request.POST.get("amount", "")),
                                  request.POST.get("request_id", "")[:64] or uuid.uuid4().hex)
    else:
        raise WalletError(WalletCode.INVALID, _("Choose what to do with the card."))


@login_required
def cards(request: HttpRequest) -> HttpResponse:
    """My city cards and my children's (a pupil's card, managed by the parent): order one,
    block a lost one, get a replacement (a new number), move money to a child's card."""
    account = _account_or_page(request)
    if isinstance(account, HttpResponse):
        return account
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _card_action(request, account, action)
        except WalletError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, CARD_DONE[action])
        return see_other(reverse("wallet:cards"))
    return render(request, "wallet/cards.html", {
        "cards": services.cards_of(account), "pupils": services.pupils_of(request.user),
        "request_id": uuid.uuid4().hex})


@login_required
def ticket(request: HttpRequest) -> HttpResponse:
    account = _account_or_page(request)
    if isinstance(account, HttpResponse):
        return account
    token, expires, problem, qr = None, None, "", ""
    try:
        token, expires = services.issue_token(account)
    except WalletError as error:
        problem = error.message
    else:
        qr = segno.make(token, error="m").svg_inline(scale=4, title=_("Ride ticket QR code"))
    response = render(request, "wallet/ticket.html", {"token": token, "expires": expires,
                                                      "problem": problem, "qr": qr})
    response["Cache-Control"] = "no-store"
    return response


def staff_validators(request: HttpRequest) -> HttpResponse:
    """The validator fleet: when each last uploaded, its rides today (staff)."""
    if not can(request.user, VALIDATOR_MANAGE):
        raise PermissionDenied
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    fleet = (Validator.objects.annotate(rides_today=Count("rides", filter=Q(
        rides__at__gte=start))).order_by("code"))
    return render(request, "wallet/staff_validators.html", {"fleet": fleet})


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    account = services.account_of(request.user)
    if account is None and not services.is_resident(request.user):
        return None
    context = {"balance": services.balance(account) if account else 0,
               "passes": services.active_passes(account) if account else []}
    return CabinetPanel(title=gettext_lazy("My wallet"), template="wallet/panel.html",
                        context=context, url_name="wallet:home", order=PanelOrder.OTHER,
                        key="wallet")


def staff_desk(request: HttpRequest) -> HttpResponse:
    """The service desk: sell an anonymous card (its code shown once), take cash onto a card."""
    require(request.user, CARD_SELL)
    sold, balance = None, None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "sell":
                text = request.POST.get("cash", "").strip()
                sold = services.do_sell_card(request.user, kopiyky_from_text(text) if text
                                             else 0)
            elif action == "topup":
                card = services.card_in_use(request.POST.get("card", ""))
                balance = services.do_cash_topup(
                    request.user, card, kopiyky_from_text(request.POST.get("amount", "")),
                    request.POST.get("request_id", "")[:64] or uuid.uuid4().hex)
                if card.account.anonymous:
                    messages.success(request, _("Cash taken; the card's balance is %(b)s.")
                                     % {"b": uah(balance)})
                else:
                    messages.success(request, _("Cash taken onto the holder's wallet."))
                return see_other(reverse("wallet:staff-desk"))
            else:
                raise WalletError(WalletCode.INVALID, _("Choose what to do."))
        except WalletError as error:
            messages.error(request, error.message)
    return render(request, "wallet/staff_desk.html", {"sold": sold,
                                                      "request_id": uuid.uuid4().hex})


def staff_corrections(request: HttpRequest) -> HttpResponse:
    """Corrections and refunds: one staff member asks, another approves (four eyes)."""
    if not (can(request.user, ACCOUNT_CORRECT) or can(request.user, CORRECTION_APPROVE)):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "request":
                require(request.user, ACCOUNT_CORRECT)
                posted = request.POST.get("account", "").strip()
                account = services.staff_account(int(posted) if posted.isdigit() else 0)
                text = request.POST.get("amount", "").strip()
                amount = kopiyky_from_text(text.lstrip("-−+"))
                amount = -amount if text.startswith(("-", "−")) else amount
                services.do_request(account, amount, request.POST.get("reason", ""),
                                    request.user, request.POST.get("kind", "correction"))
                messages.success(request, _("Asked: another staff member approves it."))
            elif action in ("approve", "reject"):
                require(request.user, CORRECTION_APPROVE)
                posted = request.POST.get("request", "")
                decide = services.do_approve if action == "approve" else services.do_reject
                decide(request.user, int(posted) if posted.isdigit() else 0,
                       request.POST.get("note", ""))
                messages.success(request, _("Approved: the transfer is posted.")
                                 if action == "approve" else _("Rejected: nothing moved."))
            else:
                raise WalletError(WalletCode.INVALID, _("Choose what to do."))
        except WalletError as error:
            messages.error(request, error.message)
            return render(request, "wallet/staff_corrections.html",
                          _corrections_context(request), status=error.status)
        return see_other(reverse("wallet:staff-corrections"))
    return render(request, "wallet/staff_corrections.html", _corrections_context(request))


def _corrections_context(request: HttpRequest) -> dict[str, Any]:
    return {"pending": services.pending_requests(), "decided": services.recent_decisions(),
            "kinds": CorrectionKind.choices, "form": request.POST if request.method == "POST"
            else {}, "may_approve": can(request.user, CORRECTION_APPROVE),
            "may_request": can(request.user, ACCOUNT_CORRECT)}


def staff_reconciliation(request: HttpRequest) -> HttpResponse:
    """Import the acquirer's statement for a day and match it with the wallet's top-ups."""
    require(request.user, RECONCILE)
    demo_day = request.GET.get("demo_statement", "")
    if demo_day:
        day = _day(demo_day)
        response = HttpResponse(services.demo_statement(day),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="demo-statement-'
                                           f'{day.isoformat()}.json"')
        return response
    if request.method == "POST":
        upload = request.FILES.get("statement")
        text = request.POST.get("text", "")
        try:
            if upload is not None:
                text = upload.read(services.reconciliation.MAX_BYTES + 1).decode("utf-8-sig")
            result = services.do_reconcile(request.POST.get("provider", ""),
                                           _day(request.POST.get("day", "")), text,
                                           request.user)
        except UnicodeDecodeError:
            messages.error(request, _("The statement is not UTF-8 text."))
        except WalletError as error:
            messages.error(request, error.message)
        else:
            return see_other(reverse("wallet:staff-reconciliation-detail", args=[result.pk]))
        return render(request, "wallet/staff_reconciliation.html", {
            "results": services.reconciliations(), "yesterday": _yesterday(),
            "providers": sorted(PROVIDERS)}, status=400)
    return render(request, "wallet/staff_reconciliation.html", {
        "results": services.reconciliations(), "yesterday": _yesterday(),
        "providers": sorted(PROVIDERS)})


def staff_reconciliation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, RECONCILE)
    try:
        result = services.access_reconciliation(pk)
    except WalletError:
        raise Http404 from None
    return render(request, "wallet/staff_reconciliation_detail.html", {"result": result})


def _yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise WalletError(WalletCode.INVALID, _("Give the day as YYYY-MM-DD."),
                          field="day") from None
