"""``misto permissions``: print every declared action and the roles granted it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from misto.core.permissions import markdown_table


class Command(BaseCommand):
    help = ("Print the table of declared actions x roles (Markdown), as docs/residents.md "
            "holds it.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            self.stdout.write(markdown_table())
