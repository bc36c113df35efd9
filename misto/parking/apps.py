from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, ReadingSink


class ParkingConfig(MistoModule):
    default = True
    name = "misto.parking"
    label = "parking"
    verbose_name = _("Parking")
    title = _("Parking")
    urls = (("parking/", "misto.parking.urls"),)
    api_router = "misto.parking.api.router"
    api_prefix = "parking"
    cabinet_panel = "misto.parking.views.cabinet_panel"
    quick_actions = (MenuEntry(_("Park the car"), "parking:map", "resident"),)
    menu = (MenuEntry(_("Parking"), "parking:map", "public"),
            MenuEntry(_("Parking statistics"), "parking:staff-stats", "staff",
                      "parking.stats.view"),
            MenuEntry(_("Parking check"), "parking:inspect", "staff",
                      "parking.enforcement.check"),
            MenuEntry(_("Parking inspectors"), "parking:staff-inspectors", "staff",
                      "parking.inspector.manage"))
    schedules = (Periodic("parking.expire", "misto.parking.tasks.expire_sessions",
                          timedelta(minutes=1)),)
    reading_sinks = (ReadingSink(models=("parking-lpp",),
                                 handler="misto.parking.handlers.on_samples"),)
    datasets = "misto.parking.datasets.DATASETS"
    indicators = "misto.parking.indicators.INDICATORS"
    demo = "misto.parking.demo.load"
    # Before the open-data portal publishes (its demo follows many modules): the first
    # publication already holds the lots. Sessions need no wallet: unpaid without one.
    demo_after = ("twin", "residents")
