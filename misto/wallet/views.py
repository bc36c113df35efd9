"""Wallet pages: thin, they call ``services`` and render (phone first).

A refusal (not enough money, a bad amount) is a message on the same page; a top-up that
is not the visitor's is the same 404 as a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
from misto.core.permissions import can
from misto.core.registry import CabinetPanel, PanelOrder
from misto.wallet import services
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.forms import kopiyky_from_text
from misto.wallet.models import BenefitRule, TopUp, TopUpStatus, Validator
from misto.wallet.permissions import VALIDATOR_MANAGE


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


@login_required
def demo_pay(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """The DEMO provider's payment page (no money moves); only the payer sees it."""
    started = TopUp.objects.filter(order_id=order_id, account__user_id=int(request.user.pk or 0),
                                   provider="demo").first()
    if started is None:
        raise Http404
    if request.method == "POST" and started.status == TopUpStatus.PENDING:
        paid = request.POST.get("decision") == "pay"
        services.demo_pay(started, succeed=paid)
        if paid:
            messages.success(request, _("The wallet is topped up."))
        else:
            messages.info(request, _("The payment was cancelled; nothing was charged."))
        return see_other(reverse("wallet:home"))
    return render(request, "wallet/demo_pay.html", {"topup": started})


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
CARD_DONE = {
    "order": gettext_lazy("The card is ordered: collect it at a city service centre. It rides "
                          "from then on."),
    "block": gettext_lazy("The card is blocked: validators refuse it from their next update."),
    "replace": gettext_lazy("The card is blocked and a new number is ordered on the same "
                            "wallet."),
    "move": gettext_lazy("The money is on the child's card."),
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
