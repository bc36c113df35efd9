"""Every knob Misto reads, read one way (12-factor), and listed in docs/configuration.md.

A knob is read at call time: first a Django setting of the same name (so a test's
``override_settings`` or a site's settings module wins), then the environment, then the
default written at the call. A value that cannot be read is a configuration error that names
the variable and the value, raised where the knob is used, never a silent fallback or a
traceback from ``int()``.

``settings.py`` reads its own variables through these functions too; while it is being
imported Django's settings are not configured yet, so only the environment is asked.
``misto/core/tests/test_config.py`` checks that every name read here is documented.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})


def _raw(name: str) -> Any:
    """The configured value of ``name``: a Django setting first, then the environment."""
    from django.conf import settings  # a leaf: importable before settings exist

    if settings.configured:
        configured = getattr(settings, name, None)
        if configured is not None:
            return configured
    return os.environ.get(name)


def _bad(name: str, value: Any, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r}: {expected}")


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else str(value)


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _bad(name, value, "expected a whole number") from None
    if minimum is not None and number < minimum:
        raise _bad(name, value, f"must be at least {minimum}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad(name, value, "expected a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _bad(name, value, "expected a finite number")
    if minimum is not None and number < minimum:
        raise _bad(name, value, f"must be at least {minimum}")
    return number


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise _bad(name, value, "expected one of 1/true/yes/on or 0/false/no/off")


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list (a Django setting may give a list or tuple directly)."""
    value = _raw(name)
    if value is None:
        value = default
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def structured(name: str) -> Any:
    """A knob with structure (a dict of rate limits, of identity providers): a Django setting
    only, or ``None``; ``settings.py`` builds it from the environment's flat variables."""
    from django.conf import settings

    return getattr(settings, name, None)


def public_url() -> str:
    """The site's public origin (no trailing slash), for links that leave the site: e-mail,
    push, feeds, and the addresses a payment provider calls back."""
    return env_str("MISTO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
