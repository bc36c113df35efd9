"""The wallet's services, by concept; the rest of the code imports them from here."""

from misto.wallet.services.accounts import (
    access_account,
    account_of,
    default_credit_limit,
    is_resident,
    staff_account,
    system_account,
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
from misto.wallet.services.corrections import do_correct
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
    "BookCheck", "DemoProvider", "Duplicate", "Leg", "PaymentProvider", "Pupil", "TapIn",
    "TapResult", "access_account", "access_card", "access_pupil_account", "account_of",
    "active_passes", "apply_taps", "authenticate_validator", "balance", "blocked_cards",
    "cards_of", "check_book", "check_card_number", "check_product", "default_credit_limit",
    "demo_pay", "deny_list", "discount_for", "do_block_card", "do_buy_pass", "do_correct",
    "do_issue_card", "do_issue_pupil_card", "do_move_to_pupil", "do_register_validator",
    "do_replace_card", "do_start_topup", "do_transfer", "fare_table", "handle_callback", "history",
    "is_resident", "issue_token", "products", "provider", "public_keys", "pupils_of", "quote_ride",
    "recent_rides", "staff_account", "system_account",
]
