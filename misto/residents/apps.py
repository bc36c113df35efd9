from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Workspace


class ResidentsConfig(MistoModule):
    default = True
    name = "misto.residents"
    label = "residents"
    verbose_name = _("Residents")
    title = _("Residents")
    optional = False
    urls = (("cabinet/", "misto.residents.urls"),)
    api_router = "misto.residents.api.router"
    api_prefix = "residents"
    menu = (
        MenuEntry(_("My cabinet"), "residents:cabinet", "resident"),
        MenuEntry(_("Register"), "residents:staff-register", "staff", "residents.person.list",
                  roles=("clerk",)),
        MenuEntry(_("Access audit"), "residents:staff-audit", "staff",
                  "residents.access_log.audit", roles=("auditor",)),
    )
    cabinet_panel = "misto.residents.cabinet.quick_actions_panel"
    workspaces = (Workspace("clerk", "residents:staff-register", 20),
                  Workspace("auditor", "residents:staff-audit"))
    demo = "misto.residents.demo.load"
    indicators = "misto.residents.indicators.INDICATORS"
    demo_after = ("twin",)

    def ready(self) -> None:
        super().ready()
        # Imported once the apps are loaded: they import models and connect signals.
        from django.contrib.auth.signals import user_logged_in

        from misto.residents import demo_idp  # noqa: F401 (registers its deploy check)
        from misto.residents.signals import on_login

        user_logged_in.connect(on_login, dispatch_uid="misto.residents.on_login")
