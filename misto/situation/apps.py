"""The situational centre as a Misto module (optional, on by default)."""

from datetime import timedelta
from typing import Any

from django.db.models.signals import post_migrate, post_save, pre_delete
from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, Workspace


def _default_kinds(sender: Any, **kwargs: Any) -> None:
    from misto.situation.services import ensure_default_kinds  # apps.py loads before models

    ensure_default_kinds()


def _kind_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from misto.situation.services import forget_map_json  # apps.py loads before models

    forget_map_json(kind=instance)


def _crew_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from misto.situation.services import forget_map_json  # apps.py loads before models

    forget_map_json(crew=instance)


def _emergency_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from misto.situation.services import forget_map_json  # apps.py loads before models

    forget_map_json(emergency=instance)


class SituationConfig(MistoModule):
    default = True
    name = "misto.situation"
    label = "situation"
    verbose_name = _("Situation centre")
    title = _("Situation centre")
    urls = (("situation/", "misto.situation.urls"),)
    api_router = "misto.situation.api.router"
    api_prefix = "situation"
    workspaces = (Workspace("dispatcher", "situation:centre"),)
    menu = (
        MenuEntry(_("Situation centre"), "situation:centre", "staff", "situation.incident.view",
                  roles=("dispatcher",)),
        MenuEntry(_("Dashboard"), "situation:dashboard", "staff", "situation.incident.view",
                  roles=("dispatcher",)),
        MenuEntry(_("My tasks"), "situation:tasks", "staff", "situation.incident.view"),
    )
    schedules = (
        Periodic("situation.prune_changes", "misto.situation.tasks.prune_changes",
                 timedelta(hours=1)),
    )
    datasets = "misto.situation.datasets.DATASETS"
    demo = "misto.situation.demo.load"
    indicators = "misto.situation.indicators.INDICATORS"
    demo_after = ("twin", "reports", "iot", "notifications")

    def ready(self) -> None:
        super().ready()
        post_migrate.connect(_default_kinds, sender=self,
                             dispatch_uid="misto.situation.default_kinds")
        from misto.situation.models import Crew, Emergency, IncidentKind  # registry ready now

        post_save.connect(_kind_saved, sender=IncidentKind,
                          dispatch_uid="misto.situation.kind_saved")
        pre_delete.connect(_crew_deleted, sender=Crew, dispatch_uid="misto.situation.crew_del")
        pre_delete.connect(_emergency_deleted, sender=Emergency,
                           dispatch_uid="misto.situation.emergency_del")
