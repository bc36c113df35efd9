from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, ReadingSink, Workspace


class FleetConfig(MistoModule):
    default = True
    name = "misto.fleet"
    label = "fleet"
    verbose_name = _("Municipal fleet")
    title = _("Municipal fleet")
    urls = (("fleet/", "misto.fleet.urls"),)
    api_router = "misto.fleet.api.router"
    api_prefix = "fleet"
    # After the situation centre: a dispatcher lands there, the fleet is their second desk.
    workspaces = (Workspace("dispatcher", "fleet:dispatch", 60),)
    menu = (MenuEntry(_("Fleet dispatch"), "fleet:dispatch", "staff", "fleet.vehicle.view",
                      roles=("dispatcher",)),)
    reading_sinks = (ReadingSink(models=("vehicle-tracker", "fuel-level"),
                                 handler="misto.fleet.handlers.on_samples"),)
    indicators = "misto.fleet.indicators.INDICATORS"
    demo = "misto.fleet.demo.load"
    demo_after = ("twin", "iot", "residents")
