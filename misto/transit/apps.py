from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, ReadingSink, Workspace


class TransitConfig(MistoModule):
    default = True
    name = "misto.transit"
    label = "transit"
    verbose_name = _("Public transport")
    title = _("Public transport")
    urls = (("transit/", "misto.transit.urls"), ("", "misto.transit.feeds_urls"))
    api_router = "misto.transit.api.router"
    api_prefix = "transit"
    cabinet_panel = "misto.transit.views.cabinet_panel"
    workspaces = (Workspace("dispatcher", "transit:dispatch", 55),)
    menu = (
        MenuEntry(_("Transport live"), "transit:index", "public", everyday=True),
        MenuEntry(_("Transport dispatch"), "transit:dispatch", "staff",
                  "transit.dispatch.view"),
    )
    schedules = (Periodic("transit.overload", "misto.transit.tasks.watch_overload",
                          timedelta(minutes=1)),
                 Periodic("transit.prune", "misto.transit.tasks.prune", timedelta(days=1)))
    # Bus trackers and passenger counters of the IoT platform (services/onboard.py); the
    # municipal fleet's "vehicle-tracker" is the fleet module's.
    reading_sinks = (ReadingSink(models=("transit-tracker", "passenger-counter"),
                                 handler="misto.transit.handlers.on_samples"),)
    datasets = "misto.transit.datasets.DATASETS"
    indicators = "misto.transit.indicators.INDICATORS"
    demo = "misto.transit.demo.load"
    demo_after = ("twin", "iot")

