"""The wallet's services, by concept; the rest of the code imports them from here."""

from misto.wallet.services.accounts import (
    access_account,
    account_of,
    default_credit_limit,
    is_resident,
    staff_account,
    system_account,
)
from misto.wallet.services.anonymous import (
    SoldCard,
    anonymous_card,
    card_in_use,
    do_cash_topup,
    do_register_card,
    do_sell_card,
    do_start_card_topup,
)
from misto.wallet.services.cards import (
    access_card,
    blocked_cards,
    cards_of,
    check_card_number,
    deny_list,
    do_block_card,
    do_issue_card,
    do_replace_card,
)
from misto.wallet.services.corrections import (
    access_request,
    do_approve,
    do_correct,
    do_reject,
    do_request,
    pending_requests,
    recent_decisions,
)
from misto.wallet.services.fares import (
    active_passes,
    check_product,
    discount_for,
    do_buy_pass,
    fare_table,
    products,
    quote_ride,
)
from misto.wallet.services.journal import (
    BookCheck,
    Duplicate,
    Leg,
    balance,
    check_book,
    do_transfer,
    history,
)
from misto.wallet.services.keys import public_keys
from misto.wallet.services.payments import (
    DemoProvider,
    PaymentProvider,
    demo_pay,
    do_start_topup,
    handle_callback,
    provider,
)
from misto.wallet.services.pupils import (
    Pupil,
    access_pupil_account,
    do_issue_pupil_card,
    do_move_to_pupil,
    pupils_of,
)
from misto.wallet.services.receipts import Receipt, access_receipt, receipt_pdf
from misto.wallet.services.reconciliation import (
    access_reconciliation,
    demo_statement,
    do_reconcile,
    reconciliations,
)
from misto.wallet.services.tickets import (
    TapIn,
    TapResult,
    apply_taps,
    authenticate_validator,
    do_register_validator,
    issue_token,
    recent_rides,
)

__all__ = [
    "BookCheck", "DemoProvider", "Duplicate", "Leg", "PaymentProvider", "Pupil", "Receipt",
    "SoldCard", "TapIn", "TapResult", "access_account", "access_card", "access_pupil_account",
    "access_receipt", "access_reconciliation", "access_request", "account_of", "active_passes",
    "anonymous_card", "apply_taps", "authenticate_validator", "balance", "blocked_cards",
    "card_in_use", "cards_of", "check_book", "check_card_number", "check_product",
    "default_credit_limit", "demo_pay", "demo_statement", "deny_list", "discount_for",
    "do_approve", "do_block_card", "do_buy_pass", "do_cash_topup", "do_correct",
    "do_issue_card", "do_issue_pupil_card", "do_move_to_pupil", "do_reconcile",
    "do_register_card", "do_register_validator", "do_reject", "do_replace_card", "do_request",
    "do_sell_card", "do_start_card_topup", "do_start_topup", "do_transfer", "fare_table",
    "handle_callback", "history", "is_resident", "issue_token", "pending_requests", "products",
    "provider", "public_keys", "pupils_of", "quote_ride", "receipt_pdf", "recent_decisions",
    "recent_rides", "reconciliations", "staff_account", "system_account",
]
