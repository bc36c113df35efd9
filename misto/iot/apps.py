"""The IoT module's declarations for the registry (menu, URLs, runners, schedules, demo)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from misto.core.registry import MenuEntry, MistoModule, Periodic, Workspace


class IotConfig(MistoModule):
    default = True
    name = "misto.iot"
    label = "iot"
    verbose_name = _("Sensors and devices")
    title = _("Sensors and devices")
    menu = (
        MenuEntry(_("Sensors"), "iot:sensors", "public"),
        MenuEntry(_("Devices"), "iot:devices", "staff", "iot.device.view",
                  roles=("it_admin",)),
        MenuEntry(_("Silent devices"), "iot:silent", "staff", "iot.device.view",
                  roles=("it_admin",)),
    )
    workspaces = (Workspace("it_admin", "iot:devices"),)
    urls = (("iot/", "misto.iot.urls"), ("ngsi-ld/v1/", "misto.iot.ngsi.urls"))
    api_router = "misto.iot.api.router"
    # Device payloads: bad ones (NUL bytes included) become dead letters, not bare 400s.
    raw_body_paths = ("/api/iot/readings", "/iot/webhooks/")
    api_prefix = "iot"
    runners = ("misto.iot.mqtt.run_consumer",)
    schedules = (
        Periodic("iot.detect_offline", "misto.iot.tasks.detect_offline", timedelta(minutes=1)),
        Periodic("iot.aggregates", "misto.iot.tasks.refresh_aggregates", timedelta(minutes=5)),
        Periodic("iot.retention", "misto.iot.tasks.apply_retention", timedelta(hours=6)),
        Periodic("iot.partitions", "misto.iot.tasks.ensure_partitions", timedelta(days=1)),
    )
    datasets = "misto.iot.datasets.DATASETS"
    code_names = (("quantity", "misto.iot.names.quantity_names"),)
    demo = "misto.iot.demo.load"
    indicators = "misto.iot.indicators.INDICATORS"
    demo_after = ("twin",)

    def ready(self) -> None:
        super().ready()
        from misto.core import readings
        from misto.iot.simulator import DemoChannel

        readings.register_demo_devices(DemoChannel())
