from django.utils.translation import gettext_lazy as _

from misto.core.registry import MistoModule


class LedgerConfig(MistoModule):
    default = True
    name = "misto.ledger"
    label = "ledger"
    verbose_name = _("Public ledger")
    title = _("Public ledger")
    optional = False
