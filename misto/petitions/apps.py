from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, Workspace


class PetitionsConfig(MistoModule):
    default = True
    name = "misto.petitions"
    label = "petitions"
    verbose_name = _("E-petitions")
    title = _("E-petitions")
    urls = (("petitions/", "misto.petitions.urls"),)
    api_router = "misto.petitions.api.router"
    api_prefix = "petitions"
    cabinet_panel = "misto.petitions.views.cabinet_panel"
    quick_actions = (MenuEntry(_("Start a petition"), "petitions:draft", "resident"),)
    workspaces = (Workspace("moderator", "petitions:moderation", 60),)
    menu = (
        MenuEntry(_("Petitions"), "petitions:index", "public"),
        MenuEntry(_("Petition moderation"), "petitions:moderation", "staff",
                  "petitions.petition.moderate"),
        MenuEntry(_("Petitions to answer"), "petitions:answering", "staff",
                  "petitions.petition.answer"),
    )
    schedules = (Periodic("petitions.deadlines", "misto.petitions.tasks.watch_deadlines",
                          timedelta(minutes=10)),)
    demo = "misto.petitions.demo.load"
    datasets = "misto.petitions.datasets.DATASETS"
    indicators = "misto.petitions.indicators.INDICATORS"
    demo_after = ("twin", "residents")
