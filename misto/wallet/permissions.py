"""The wallet's actions (see misto.core.permissions).

A resident acts on their own account (top up, buy a pass, take a ride token): that is
ownership, not a staff permission. Staff see accounts to answer a resident's question and
post corrections with a stated reason; the IT department registers validators.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

ACCOUNT_VIEW = declare("wallet.account.view",
                       _("See a wallet account's balance and history"),
                       roles={"clerk", "auditor"})
ACCOUNT_CORRECT = declare("wallet.account.correct",
                          _("Post a correction or refund to a wallet account, with a reason"),
                          roles={"clerk"})
VALIDATOR_MANAGE = declare("wallet.validator.manage",
                           _("Register ride validators and issue their keys"),
                           roles={"it_admin"})
FARES_ADMIN = declare("wallet.fares.admin",
                      _("Set the fares, caps, passes on sale and benefit discounts"),
                      roles={"it_admin"})
FARES_VIEW = declare("wallet.fares.view", _("See the fare tables in the admin"),
                     roles={"it_admin", "auditor"})
CARD_SELL = declare("wallet.card.sell",
                    _("Sell anonymous city cards and take cash top-ups at a service desk"),
                    roles={"clerk"})
CORRECTION_APPROVE = declare("wallet.correction.approve",
                             _("Approve or reject another staff member's correction or refund "
                               "(four eyes)"),
                             roles={"clerk"})
RECONCILE = declare("wallet.reconciliation.run",
                    _("Import the acquirer's daily statement and reconcile it with the "
                      "wallet's top-ups"),
                    roles={"clerk"})
