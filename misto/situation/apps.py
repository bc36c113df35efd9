"""The situational centre as a Misto module (optional, on by default)."""

from datetime import timedelta
from typing import Any

from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic


def _default_kinds(sender: Any, **kwargs: Any) -> None:
    from misto.situation.services import ensure_default_kinds

    ensure_default_kinds()


class SituationConfig(MistoModule):
    default = True
    name = "misto.situation"
    label = "situation"
    verbose_name = _("Situation centre")
    title = _("Situation centre")
    urls = (("situation/", "misto.situation.urls"),)
    api_router = "misto.situation.api.router"
    api_prefix = "situation"
    menu = (
        MenuEntry(_("Situation centre"), "situation:centre", "staff"),
        MenuEntry(_("Dashboard"), "situation:dashboard", "staff"),
        MenuEntry(_("My tasks"), "situation:tasks", "staff"),
    )
    schedules = (
        Periodic("situation.prune_changes", "misto.situation.tasks.prune_changes",
                 timedelta(hours=1)),
    )
    demo = "misto.situation.demo.load"
    demo_after = ("twin", "reports", "iot", "notifications")

    def ready(self) -> None:
        super().ready()
        post_migrate.connect(_default_kinds, sender=self,
                             dispatch_uid="misto.situation.default_kinds")
