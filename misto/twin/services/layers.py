"""Layers: the built-in ones created on first use, code <-> id cached per process (the hot
queries filter by id instead of joining the layer table), and who may see or edit a layer.

Every other concept starts from a layer, so this file imports no other concept file.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.twin import builtin
from misto.twin.errors import NotFound, TwinCode, TwinError
from misto.twin.models import Layer, Visibility


def ensure_builtin_layers() -> int:
    """Create the built-in layers that are missing; returns how many were created."""
    created = 0
    for spec in builtin.LAYERS:
        defaults = {key: value for key, value in spec.items() if key != "code"}
        _layer, was_created = Layer.objects.get_or_create(
            code=spec["code"], defaults={**defaults, "builtin": True}
        )
        created += was_created
    return created


def get_layer(code: str) -> Layer:
    layer = Layer.objects.filter(code=code).first()
    if layer is None:
        if any(spec["code"] == code for spec in builtin.LAYERS):
            ensure_builtin_layers()
            return Layer.objects.get(code=code)
        raise NotFound(TwinCode.UNKNOWN_LAYER, _("There is no layer “%(code)s”.") % {"code": code})
    return layer


# Layer code <-> id, per process: the hot queries filter by id instead of joining the
# layer table. Cleared whenever a layer is saved or deleted and after every migrate/flush
# (apps.py); a layer's id never changes while it exists.
_layer_ids: dict[str, int] = {}
_layer_codes: dict[int, str] = {}


def layer_id(code: str) -> int:
    """The id of the layer with this code (cached); :class:`NotFound` if there is none."""
    pk = _layer_ids.get(code)
    if pk is None:
        pk = get_layer(code).pk
        _layer_ids[code] = pk
        _layer_codes[pk] = code
    return pk


def layer_code(pk: int) -> str:
    code = _layer_codes.get(pk)
    if code is None:
        code = Layer.objects.values_list("code", flat=True).get(pk=pk)
        _layer_ids[code] = pk
        _layer_codes[pk] = code
    return code


def forget_layers(**kwargs: Any) -> None:
    _layer_ids.clear()
    _layer_codes.clear()


def can_see(user: Any, layer: Layer) -> bool:
    return layer.visibility == Visibility.PUBLIC or can(user, "twin.layer.view")


def can_edit(user: Any, layer: Layer, verb: str = "change") -> bool:
    """May ``user`` create, change or delete (``verb``) the features of ``layer``?

    The core's ``can`` adds the scope: the layer's owner department."""
    return can(user, f"twin.feature.{verb}", layer)


def visible_layers(user: Any) -> list[Layer]:
    return [layer for layer in Layer.objects.order_by("pk") if can_see(user, layer)]


#: What may be done with a layer: see it, or create, change or delete its features.
LAYER_ACTIONS = ("view", "create", "change", "delete")


def access_layer(user: Any, code: str, action: str = "view") -> Layer:
    """The layer ``code``, fetched and checked for ``user`` in one call.

    A layer that does not exist and one the user may not see are the same 404
    (:class:`NotFound`, same code and words), so nobody learns which staff-only layers exist.
    For an edit ``action`` (``create``, ``change``, ``delete`` its features) on a layer the user
    sees but may not edit, ``TwinError`` ``forbidden`` (403).
    """
    if action not in LAYER_ACTIONS:
        raise ValueError(f"unknown layer action {action!r}")
    layer = Layer.objects.filter(code=code).first() or _builtin_layer(code)
    if layer is None or not can_see(user, layer):
        raise NotFound(TwinCode.UNKNOWN_LAYER, _("There is no layer “%(code)s”.") % {"code": code})
    if action != "view" and not can_edit(user, layer, action):
        raise TwinError(TwinCode.FORBIDDEN, _("You may not edit this layer."), status=403)
    return layer


def _builtin_layer(code: str) -> Layer | None:
    """A built-in layer not created yet (a fresh database): created on first use."""
    try:
        return get_layer(code)
    except NotFound:
        return None
