from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic


class OpendataConfig(MistoModule):
    default = True
    name = "misto.opendata"
    label = "opendata"
    verbose_name = _("Open data")
    title = _("Open data")
    urls = (("opendata/", "misto.opendata.urls"), ("", "misto.opendata.api.urls"))
    menu = (MenuEntry(_("Open data"), "opendata:index", "public"),)
    # The twin's layers: the twin is always on and knows nothing of open data, so this
    # module declares them itself, through the twin's public functions.
    datasets = "misto.opendata.datasets.DATASETS"
    indicators = "misto.opendata.indicators.INDICATORS"
    schedules = (Periodic("opendata.regenerate", "misto.opendata.tasks.regenerate",
                          timedelta(hours=1)),)
    demo = "misto.opendata.demo.load"
    demo_after = ("twin", "reports", "petitions", "appeals", "iot", "situation", "notifications",
                  "ledger")
