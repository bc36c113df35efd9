"""The ``misto`` operator command: Django's manage.py for this project."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(simulate_target(sys.argv))


def simulate_target(argv: list[str]) -> list[str]:
    """``misto simulate <what>``: ``misto simulate transit`` runs the ``simulate_transit``
    command of the transit module; ``misto simulate`` and ``misto simulate iot`` the IoT
    module's ``simulate``. Rewritten here so that no module needs to know another's."""
    if len(argv) > 2 and argv[1] == "simulate" and not argv[2].startswith("-"):
        return [argv[0], "simulate" if argv[2] == "iot" else f"simulate_{argv[2]}", *argv[3:]]
    return argv


if __name__ == "__main__":
    main()
