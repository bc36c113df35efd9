"""A small Mapbox Vector Tile 2.1 encoder in pure Python (the SpatiaLite fallback).

Why not the ``mapbox-vector-tile`` package: it works through shapely, whose bundled GEOS
clashes with the system GEOS that GDAL and Django load first in the same process (shapely's
coordinate sequences then come back with the wrong dimension). The protocol is small: a
protobuf ``Tile`` of ``Layer`` messages, each feature a geometry of zig-zag encoded
MoveTo/LineTo/ClosePath commands in tile units with y pointing down. Spec:
https://github.com/mapbox/vector-tile-spec/tree/master/2.1
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

POINT, LINESTRING, POLYGON = 1, 2, 3
MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7

Ring = Sequence[tuple[float, float]]


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field_number: int, wire_type: int) -> bytes:
    return _varint((field_number << 3) | wire_type)


def _bytes_field(field_number: int, payload: bytes) -> bytes:
    return _key(field_number, 2) + _varint(len(payload)) + payload


def _uint_field(field_number: int, value: int) -> bytes:
    return _key(field_number, 0) + _varint(value)


def _packed(field_number: int, values: Iterable[int]) -> bytes:
    return _bytes_field(field_number, b"".join(_varint(v) for v in values))


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def _command(command: int, count: int) -> int:
    return (command & 0x7) | (count << 3)


def _value(value: Any) -> bytes:
    if isinstance(value, bool):
        return _uint_field(7, int(value))
    if isinstance(value, int) and value >= 0:
        return _uint_field(5, value)
    if isinstance(value, int):
        return _uint_field(6, (value << 1) ^ (value >> 63))
    if isinstance(value, float):
        return _key(3, 1) + struct.pack("<d", value)
    return _bytes_field(1, str(value).encode())


def _quantise(points: Iterable[tuple[float, float]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not out or out[-1] != point:
            out.append(point)
    return out


class _Cursor:
    """Geometry commands are relative to the previous point, across parts."""

    def __init__(self) -> None:
        self.x = 0
        self.y = 0
        self.ints: list[int] = []

    def move(self, points: Sequence[tuple[int, int]], command: int) -> None:
        self.ints.append(_command(command, len(points)))
        for x, y in points:
            self.ints.extend((_zigzag(x - self.x), _zigzag(y - self.y)))
            self.x, self.y = x, y


def _signed_area(ring: Sequence[tuple[int, int]]) -> int:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]],
                                                               strict=True))


def encode_geometry(kind: str, parts: Sequence[Any]) -> tuple[int, list[int]] | None:
    """Commands for a geometry already in tile units.

    ``kind``: "point" (parts: points), "line" (parts: point lists) or "polygon" (parts:
    polygons, each a list of rings, the exterior first). None when nothing is left after
    snapping to the integer grid.
    """
    cursor = _Cursor()
    if kind == "point":
        points = [(round(x), round(y)) for x, y in parts]
        if not points:
            return None
        cursor.move(points, MOVE_TO)
        return POINT, cursor.ints
    if kind == "line":
        for line in parts:
            snapped = _quantise(line)
            if len(snapped) < 2:
                continue
            cursor.move(snapped[:1], MOVE_TO)
            cursor.move(snapped[1:], LINE_TO)
        return (LINESTRING, cursor.ints) if cursor.ints else None
    for polygon in parts:
        for index, ring in enumerate(polygon):
            snapped = _quantise(ring)
            if len(snapped) > 1 and snapped[0] == snapped[-1]:
                snapped = snapped[:-1]
            if len(snapped) < 3:
                if index == 0:
                    break  # the exterior vanished: drop the polygon with its holes
                continue
            area = _signed_area(snapped)
            if area == 0:
                if index == 0:
                    break
                continue
            # Exterior rings have a positive area in tile units (clockwise, y down).
            if (index == 0) != (area > 0):
                snapped.reverse()
            cursor.move(snapped[:1], MOVE_TO)
            cursor.move(snapped[1:], LINE_TO)
            cursor.ints.append(_command(CLOSE_PATH, 1))
    return (POLYGON, cursor.ints) if cursor.ints else None


@dataclass
class Layer:
    name: str
    extent: int = 4096
    features: list[bytes] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)
    values: dict[tuple[type, Any], int] = field(default_factory=dict)
    value_bytes: list[bytes] = field(default_factory=list)

    def add(self, geometry: tuple[int, list[int]] | None, properties: dict[str, Any],
            feature_id: int | None = None) -> None:
        if geometry is None:
            return
        geom_type, commands = geometry
        tags: list[int] = []
        for key, value in properties.items():
            if value is None:
                continue
            if key not in self.keys:
                self.keys[key] = len(self.keys)
            token = (type(value), value)
            if token not in self.values:
                self.values[token] = len(self.values)
                self.value_bytes.append(_value(value))
            tags.extend((self.keys[key], self.values[token]))
        body = b""
        if feature_id is not None and feature_id >= 0:
            body += _uint_field(1, feature_id)
        if tags:
            body += _packed(2, tags)
        body += _uint_field(3, geom_type) + _packed(4, commands)
        self.features.append(body)

    def encode(self) -> bytes:
        body = _uint_field(15, 2) + _bytes_field(1, self.name.encode())
        body += b"".join(_bytes_field(2, feature) for feature in self.features)
        body += b"".join(_bytes_field(3, key.encode()) for key in self.keys)
        body += b"".join(_bytes_field(4, value) for value in self.value_bytes)
        body += _uint_field(5, self.extent)
        return body


def encode_tile(layers: Iterable[Layer]) -> bytes:
    return b"".join(_bytes_field(3, layer.encode()) for layer in layers if layer.features)
