from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule


class ResidentsConfig(MistoModule):
    default = True
    name = "misto.residents"
    label = "residents"
    verbose_name = _("Residents")
    title = _("Residents")
    optional = False
    urls = (("cabinet/", "misto.residents.urls"),)
    menu = (MenuEntry(_("My cabinet"), "residents:cabinet", "resident"),)
