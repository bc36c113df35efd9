"""Residents' domain operations."""

from __future__ import annotations

from django.http import HttpRequest

from misto.core.registry import CabinetPanel, modules


def cabinet_panels(request: HttpRequest) -> list[CabinetPanel]:
    """Every installed module's panel for this resident, in module order."""
    panels = []
    for config in modules():
        panel = config.build_cabinet_panel(request)
        if panel is not None:
            panels.append(panel)
    return panels
