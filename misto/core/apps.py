from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule


class CoreConfig(MistoModule):
    default = True
    name = "misto.core"
    label = "core"
    verbose_name = _("Platform core")
    title = _("Platform core")
    optional = False
    urls = (("", "misto.core.urls"),)
    api_router = "misto.core.api.router"
    demo = "misto.core.demo.load"
    menu = (MenuEntry(_("Event deliveries"), "core:dead-letters", "staff", "core.event.view",
                      roles=("it_admin", "auditor")),)
