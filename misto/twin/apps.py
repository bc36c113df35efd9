from typing import Any

from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule


def _builtin_layers(sender: Any, **kwargs: Any) -> None:
    # apps.py loads before the models may be imported (AppRegistryNotReady), hence here.
    from misto.twin.services import ensure_builtin_layers, forget_layers

    forget_layers()
    ensure_builtin_layers()


class TwinConfig(MistoModule):
    default = True
    name = "misto.twin"
    label = "twin"
    verbose_name = _("Digital twin")
    title = _("Digital twin")
    optional = False
    urls = (("map/", "misto.twin.urls"),)
    api_router = "misto.twin.api.router"
    api_prefix = "twin"
    menu = (MenuEntry(_("Map"), "twin:map", "public"),
            MenuEntry(_("Shelters"), "twin:shelters", "public", everyday=True))
    demo = "misto.twin.demo.load"
    indicators = "misto.twin.indicators.INDICATORS"

    def ready(self) -> None:
        super().ready()
        post_migrate.connect(_builtin_layers, sender=self,
                             dispatch_uid="misto.twin.builtin_layers")
        # Not at the top: apps.py loads before the models may be imported.
        from misto.twin.models import Feature, Layer
        from misto.twin.services import forget_layers
        from misto.twin.services.features import touch

        post_save.connect(forget_layers, sender=Layer, dispatch_uid="misto.twin.forget_save")
        post_delete.connect(forget_layers, sender=Layer, dispatch_uid="misto.twin.forget_del")
        # Any change to what tiles draw makes every cached tile (and its ETag) stale.
        for model in (Feature, Layer):
            post_save.connect(touch, sender=model, dispatch_uid=f"misto.twin.touch_save.{model}")
            post_delete.connect(touch, sender=model, dispatch_uid=f"misto.twin.touch_del.{model}")
