"""The wallet's tables. Money is integer kopiyky; balances are sums of postings.

``Posting`` rows are append-only (``save`` of an existing row and ``delete`` raise), and
each ``Transfer``'s postings sum to zero, so the book always balances; ``misto wallet
check`` recomputes it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    RESIDENT = "resident", _("resident")
    # The city's own side of each movement: money received from providers, fare and pass
    # revenue, corrections. They may go negative (the clearing account does, by design).
    CLEARING = "clearing", _("payments received")
    FARES = "fares", _("fare revenue")
    PASSES = "passes", _("pass revenue")
    CORRECTIONS = "corrections", _("corrections")
    SERVICES = "services", _("revenue from city services")
    CASH = "cash", _("cash taken at service desks")


class Account(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="wallet_account")
    # The public reference a ride token names (never the user's id).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credit_limit = models.PositiveIntegerField(_("ride-on-credit limit, kopiyky"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # A pupil's account: the child's register reference (for their benefits; a child has no
    # sign-in) and the parent who manages it. A resident's own account has neither.
    holder = models.UUIDField(_("register person"), null=True, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="managed_wallets")
    # An anonymous city card's own account (sold at a desk; no person, no sign-in): its
    # money is on the card until a resident registers the card and moves it to theirs.
    anonymous = models.BooleanField(_("an anonymous card's account"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=~models.Q(kind="resident"),
                                    name="one_system_account"),
            models.UniqueConstraint(fields=["manager", "holder"], name="one_pupil_account"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"


class TransferKind(models.TextChoices):
    TOPUP = "topup", _("top-up")
    FARE = "fare", _("fare")
    PASS = "pass", _("pass")
    CORRECTION = "correction", _("correction")
    SERVICE = "service", _("city service")
    FAMILY = "family", _("to a child's card")
    CARD = "card", _("an anonymous card's balance moved")


class Transfer(models.Model):
    """One movement of money: its postings sum to zero."""

    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    # What makes a repeated request (a webhook, a tap upload) a no-op.
    key = models.CharField(max_length=120, unique=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class AppendOnly(Exception):
    pass


class Posting(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()  # kopiyky; + credits the account, - debits it

    class Meta:
        indexes = [models.Index(fields=["account", "transfer"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("postings are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("postings are never deleted")


class TopUpStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the payment")
    PAID = "paid", _("paid")
    FAILED = "failed", _("failed")


class TopUp(models.Model):
    order_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="topups")
    amount = models.PositiveIntegerField()  # kopiyky
    provider = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=TopUpStatus.choices,
                              default=TopUpStatus.PENDING)
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # Paid onto a city card by its number (by anyone: the order id is the payer's only key).
    card = models.ForeignKey("Card", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    def __str__(self) -> str:
        return str(self.order_id)


class ProductKind(models.TextChoices):
    TRIPS = "trips", _("a number of trips")
    PERIOD = "period", _("unlimited rides for a period")


class Product(models.Model):
    """A pass the resident can buy (fare products as data)."""

    code = models.SlugField(unique=True, max_length=40)
    title_uk = models.CharField(max_length=120)
    title_en = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    price = models.PositiveIntegerField()  # kopiyky
    trips = models.PositiveIntegerField(default=0)
    days = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["price"]

    def __str__(self) -> str:
        return self.code


class FareTable(models.Model):
    """The fare and the caps: a rider never pays more in a day (week) than its cap."""

    code = models.SlugField(unique=True, max_length=40, default="standard")
    single_fare = models.PositiveIntegerField()
    daily_cap = models.PositiveIntegerField()
    weekly_cap = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.code


class BenefitRule(models.Model):
    """A register benefit category's discount on fares (100: rides free)."""

    category = models.SlugField(unique=True, max_length=40)  # residents' BenefitCategory code
    title_uk = models.CharField(max_length=120)
    title_en = models.CharField(max_length=120)
    discount_percent = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.category}: {self.discount_percent}%"


class Pass(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="passes")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    trips_left = models.PositiveIntegerField(default=0)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.product_id} ({self.account_id})"


class Validator(models.Model):
    """A ride validator on a vehicle; it uploads taps with its key (stored hashed)."""

    code = models.SlugField(unique=True, max_length=40)
    key_hash = models.CharField(max_length=64, unique=True)
    last_upload_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # Its device id in the IoT registry, when it also uploads over MQTT (docs/wallet.md).
    device = models.CharField(_("IoT device id"), max_length=64, unique=True, null=True,
                              blank=True)
    last_channel = models.CharField(max_length=8, blank=True)  # http | mqtt
    # Taps the validator said it still held after its last upload (None: it did not say).
    pending_taps = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code


class Card(models.Model):
    """A city card: a number printed on it and held in its chip, paying from its holder's
    wallet account. Lost: blocked (the validators' signed deny-list carries it from then on)
    and replaced by a new number on the same account; never deleted (its rides refer to it)."""

    number = models.CharField(_("card number"), max_length=16, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="cards")
    issued_at = models.DateTimeField(auto_now_add=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces")
    # An anonymous card's registration code (printed on its sleeve, stored hashed): who holds
    # the card can register it to themselves; failed tries are counted and capped.
    claim_hash = models.CharField(max_length=64, blank=True)
    claim_failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"…{self.number[-4:]}"

    @property
    def masked(self) -> str:
        """What a page shows: the last four digits only."""
        return f"•••• {self.number[-4:]}"


class RideBasis(models.TextChoices):
    FARE = "fare", _("fare paid")
    CAPPED = "capped", _("fare capped")
    PASS = "pass", _("pass")
    BENEFIT = "benefit", _("benefit")
    UNPAID = "unpaid", _("not paid: balance too low")


class Ride(models.Model):
    """One tap, applied once (``tap_id``): of a ride token, used once (``token_id``), or of
    a city card (``card``)."""

    tap_id = models.CharField(max_length=80, unique=True)
    token_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="rides")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="rides")
    validator = models.ForeignKey(Validator, on_delete=models.PROTECT, related_name="rides")
    at = models.DateTimeField(db_index=True)
    charged = models.PositiveIntegerField(default=0)  # kopiyky
    basis = models.CharField(max_length=16, choices=RideBasis.choices)
    pass_used = models.ForeignKey(Pass, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "at"]),
            # The paid rides: what capping sums per rider and day (a few a day, however many
            # capped, pass and benefit rides there are).
            models.Index(fields=["account", "at"], include=["charged"],
                         condition=models.Q(charged__gt=0), name="wallet_ride_paid"),
        ]

    def __str__(self) -> str:
        return self.tap_id


class DayAnchor(models.Model):
    """A local day whose totals went to the public ledger (once)."""

    day = models.DateField(unique=True)
    published_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.day.isoformat()


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved and posted")
    REJECTED = "rejected", _("rejected")


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", _("correction")
    REFUND = "refund", _("refund")


class CorrectionRequest(models.Model):
    """A staff correction or refund (four eyes): one person asks with a reason, another
    approves or rejects; only the approval posts the balanced transfer."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=CorrectionKind.choices,
                            default=CorrectionKind.CORRECTION)
    amount = models.BigIntegerField()  # kopiyky; + credits the account, - debits it
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("decision note"), max_length=200, blank=True)
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"


class Reconciliation(models.Model):
    """One import of an acquirer's statement for a local day, matched against the wallet's
    top-ups of that day; the result is kept (each import, newest shown first)."""

    day = models.DateField(_("day"))
    provider = models.CharField(_("provider"), max_length=32)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    statement_rows = models.PositiveIntegerField(default=0)
    statement_total = models.BigIntegerField(default=0)  # kopiyky, successful payments
    wallet_total = models.BigIntegerField(default=0)  # kopiyky, top-ups settled that day
    matched = models.PositiveIntegerField(default=0)
    # Each discrepancy: {"status", "order_id", "payment_id", "statement_kop", "wallet_kop"}.
    items = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["provider", "day"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"

    @property
    def all_match(self) -> bool:
        return not self.items
