from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic


class LedgerConfig(MistoModule):
    default = True
    name = "misto.ledger"
    label = "ledger"
    verbose_name = _("Public ledger")
    title = _("Public ledger")
    optional = False
    urls = (("ledger/", "misto.ledger.urls"),)
    api_router = "misto.ledger.api.router"
    api_prefix = "ledger"
    # The public page explains the ledger in plain words first, then offers the check.
    menu = (MenuEntry(_("Check the ledger"), "ledger:index"),)
    cabinet_panel = "misto.ledger.views.cabinet_panel"
    datasets = "misto.ledger.datasets.DATASETS"
    demo = "misto.ledger.demo.load"
    indicators = "misto.ledger.indicators.INDICATORS"
    # Other modules' demos write entries (through events); sign after them.
    demo_after = ("residents", "twin", "reports", "iot")
    # Integrates and signs within seconds of an append (MISTO_LEDGER_SIGN_SECONDS); the
    # schedules below are the backstop when no runner is up.
    runners = ("misto.ledger.runner.run",)
    schedules = (
        Periodic("ledger.integrate", "misto.ledger.tasks.integrate", timedelta(minutes=1)),
        Periodic("ledger.issue_head", "misto.ledger.tasks.issue_scheduled_head",
                 timedelta(minutes=10)),
    )
