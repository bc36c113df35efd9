"""The cabinet home: every installed module's panels for the signed-in resident."""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest

from misto.core.registry import CabinetPanel, modules


def cabinet_panels(request: HttpRequest) -> list[CabinetPanel]:
    """Every installed module's panels for this resident: what concerns them now first
    (``CabinetPanel.order``), then in module order."""
    panels = [panel for config in modules() for panel in config.build_cabinet_panels(request)]
    keyed = [panel if panel.key else replace(panel, key=f"panel-{number}")
             for number, panel in enumerate(panels, 1)]  # each section needs an anchor
    return sorted(keyed, key=lambda panel: panel.order)
