"""``misto demo``: load the demo city, module by module, idempotently."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from misto.core.registry import demo_order


class Command(BaseCommand):
    help = "Load the demo city into the database (safe to run again: it skips what exists)."

    def handle(self, *args: Any, **options: Any) -> None:
        for config in demo_order():
            assert config.demo
            self.stdout.write(f"demo: {config.label}")
            import_string(config.demo)(self.stdout)
        self.stdout.write(self.style.SUCCESS("demo city loaded"))
