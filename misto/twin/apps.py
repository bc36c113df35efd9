from django.utils.translation import gettext_lazy as _

from misto.core.registry import MistoModule


class TwinConfig(MistoModule):
    default = True
    name = "misto.twin"
    label = "twin"
    verbose_name = _("Digital twin")
    title = _("Digital twin")
    optional = False
