from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, Workspace


class AppealsConfig(MistoModule):
    default = True
    name = "misto.appeals"
    label = "appeals"
    verbose_name = _("E-reception")
    title = _("E-reception")
    urls = (("appeals/", "misto.appeals.urls"),)
    api_router = "misto.appeals.api.router"
    api_prefix = "appeals"
    cabinet_panel = "misto.appeals.views.cabinet_panel"
    quick_actions = (MenuEntry(_("Write to the city"), "appeals:index", "resident"),)
    workspaces = (Workspace("clerk", "appeals:queue", 60),
                  Workspace("operator", "appeals:register", 60))
    menu = (
        MenuEntry(_("E-reception"), "appeals:index", "public"),
        MenuEntry(_("Appeals queue"), "appeals:queue", "staff", "appeals.appeal.handle"),
        MenuEntry(_("Register an appeal"), "appeals:register", "staff",
                  "appeals.appeal.register"),
    )
    schedules = (Periodic("appeals.deadlines", "misto.appeals.tasks.watch_deadlines",
                          timedelta(minutes=10)),)
    demo = "misto.appeals.demo.load"
    datasets = "misto.appeals.datasets.DATASETS"
    indicators = "misto.appeals.indicators.INDICATORS"
    demo_after = ("twin", "residents")
