"""A small but complete optional module used by the core's tests.

It exercises every declaration of the module contract (menu, URLs, API router, cabinet
panel, schedules, events published and consumed), so the tests can switch a module on and
off and watch each trace appear and disappear.
"""

from datetime import timedelta

from misto.core.registry import MenuEntry, MistoModule, Periodic


class SampleModuleConfig(MistoModule):
    default = True
    name = "misto.core.tests.sample_module"
    label = "sample_module"
    verbose_name = "Sample module"
    title = "Sample module"
    urls = (("sample/", "misto.core.tests.sample_module.urls"),)
    api_router = "misto.core.tests.sample_module.api.router"
    api_prefix = "sample"
    cabinet_panel = "misto.core.tests.sample_module.views.cabinet_panel"
    menu = (MenuEntry("Sample things", "sample_module:index"),)
    schedules = (Periodic("sample.tick", "misto.core.tests.sample_module.tasks.tick",
                          timedelta(minutes=5)),)
