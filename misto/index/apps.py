from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic


class IndexConfig(MistoModule):
    default = True
    name = "misto.index"
    label = "index"
    verbose_name = _("City Progress Index")
    title = _("City Progress Index")
    urls = (("index/", "misto.index.urls"),)
    api_router = "misto.index.api.router"
    api_prefix = "index"
    department_names = "misto.index.names.department_names"
    # The leaders see the index where they already look: the situational centre's dashboard.
    dashboard_panels = ("misto.index.dashboard.leadership_panel",)
    # Yearly work (values and targets by 1 February), not a clerk's everyday page: "More".
    menu = (
        MenuEntry(_("City Progress Index"), "index:home", "public"),
        MenuEntry(_("Indicators: values and targets"), "index:staff", "staff",
                  "index.value.enter"),
    )
    schedules = (
        Periodic("index.value.compute", "misto.index.tasks.compute_current", timedelta(hours=6)),
        Periodic("index.reminders", "misto.index.tasks.january_reminders", timedelta(days=1)),
    )
    demo = "misto.index.demo.load"
    demo_after = ("twin", "residents", "reports", "iot", "situation", "notifications",
                  "petitions", "appeals", "directory", "opendata")
