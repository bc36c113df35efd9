from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic


class ConsultationsConfig(MistoModule):
    default = True
    name = "misto.consultations"
    label = "consultations"
    verbose_name = _("Polls and consultations")
    title = _("Polls and consultations")
    urls = (("consultations/", "misto.consultations.urls"),)
    api_router = "misto.consultations.api.router"
    api_prefix = "consultations"
    menu = (
        MenuEntry(_("Polls and consultations"), "consultations:index", "public"),
        MenuEntry(_("Polls and consultations: organise"), "consultations:staff", "staff",
                  "consultations.poll.manage"),
    )
    schedules = (Periodic("consultations.close", "misto.consultations.tasks.close_due",
                          timedelta(minutes=5)),)
    demo = "misto.consultations.demo.load"
    demo_after = ("twin", "residents")
    datasets = "misto.consultations.datasets.DATASETS"
    indicators = "misto.consultations.indicators.INDICATORS"
