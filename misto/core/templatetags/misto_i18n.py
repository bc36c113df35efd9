"""``{% load misto_i18n %}``: ``{{ category|local:"title" }}`` shows a stored name in the
reader's language (see :mod:`misto.core.i18n`)."""

from __future__ import annotations

from typing import Any

from django import template

from misto.core import i18n
from misto.core.i18n import localized

register = template.Library()


@register.filter
def local(obj: Any, field: str = "name") -> str:
    return localized(obj, field)


@register.filter
def module_title(label: str) -> str:
    """A module's title ("Reports") for its label ("reports"), as the registry names it."""
    from misto.core.registry import module

    config = module(label)
    return str(config.title) if config is not None and config.title else label


@register.filter
def code_name(code: str | None, kind: str) -> str:
    """``{{ code|code_name:"quantity" }}``: see :func:`misto.core.i18n.code_name`."""
    return i18n.code_name(kind, code)


@register.filter
def department_name(code: str | None) -> str:
    """A department's name in the reader's language for its code ("green")."""
    return i18n.code_name("department", code)
