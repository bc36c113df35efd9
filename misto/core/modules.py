"""Which Django apps make up this installation.

Read by the settings before Django is set up, so it imports nothing from Django: it only
looks at the package tree. The runtime registry (what each module offers) is
``misto.core.registry``.
"""

from __future__ import annotations

from pathlib import Path

ALWAYS_ON = ["misto.core", "misto.residents", "misto.twin", "misto.ledger"]
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def available_optional_modules() -> list[str]:
    """Every optional module shipped in the ``misto`` package, in a stable order."""
    found = []
    for apps_file in sorted(PACKAGE_DIR.glob("*/apps.py")):
        app = f"misto.{apps_file.parent.name}"
        if app not in ALWAYS_ON:
            found.append(app)
    return found


def installed_module_apps(requested: list[str]) -> list[str]:
    """Turn ``MISTO_MODULES`` into app paths.

    ``all`` switches every shipped module on; a bare name (``reports``) is a module of the
    ``misto`` package; a dotted path is any installable app that follows the module contract
    (a city's own module). Unknown names fail loudly instead of being ignored.
    """
    available = available_optional_modules()
    apps: list[str] = []
    for name in requested:
        if name == "all":
            apps.extend(app for app in available if app not in apps)
            continue
        app = name if "." in name else f"misto.{name}"
        if app in ALWAYS_ON:
            continue
        if "." not in name and app not in available:
            known = ", ".join(a.removeprefix("misto.") for a in available) or "none"
            raise ValueError(f"MISTO_MODULES: unknown module {name!r} (known: {known})")
        if app not in apps:
            apps.append(app)
    return apps
