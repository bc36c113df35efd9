from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MessageSink, MistoModule, Periodic


class WalletConfig(MistoModule):
    default = True
    name = "misto.wallet"
    label = "wallet"
    verbose_name = _("City wallet")
    title = _("City wallet")
    urls = (("wallet/", "misto.wallet.urls"),)
    api_router = "misto.wallet.api.router"
    api_prefix = "wallet"
    cabinet_panel = "misto.wallet.views.cabinet_panel"
    quick_actions = (MenuEntry(_("Top up the wallet"), "wallet:topup", "resident"),)
    menu = (MenuEntry(_("Fares and passes"), "wallet:fares", "public"),
            MenuEntry(_("Top up a city card"), "wallet:card-topup", "public"),
            MenuEntry(_("Validators"), "wallet:staff-validators", "staff",
                      "wallet.validator.manage"),
            MenuEntry(_("Card desk"), "wallet:staff-desk", "staff", "wallet.card.sell"),
            MenuEntry(_("Corrections and refunds"), "wallet:staff-corrections", "staff",
                      "wallet.account.correct"),
            MenuEntry(_("Reconciliation with the acquirer"), "wallet:staff-reconciliation",
                      "staff", "wallet.reconciliation.run"))
    schedules = (Periodic("wallet.daily-totals", "misto.wallet.tasks.anchor_days",
                          timedelta(hours=1)),)
    # Validators registered as IoT devices upload their taps over MQTT too (docs/wallet.md).
    message_sinks = (MessageSink(models=("ride-validator",), channel="taps",
                                 handler="misto.wallet.handlers.on_taps"),)
    demo = "misto.wallet.demo.load"
    demo_after = ("twin", "residents")

    def ready(self) -> None:
        super().ready()
        from misto.core import payments
        from misto.wallet.services.charges import WalletPayer

        payments.register_payer(WalletPayer())
