"""Photos: checked by content and size, re-encoded without metadata (orientation kept),
and the GPS position read from EXIF when the resident allows it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from misto.reports import errors
from misto.reports.errors import ReportError

ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_SIDE = 2560
MAX_PIXELS = 50_000_000
ORIENTATION = 0x0112
GPS_IFD = 0x8825


def max_bytes() -> int:
    return int(getattr(settings, "MISTO_REPORTS_MAX_PHOTO_BYTES", 10 * 1024 * 1024))


def max_photos() -> int:
    return int(getattr(settings, "MISTO_REPORTS_MAX_PHOTOS", 5))


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str
    width: int
    height: int
    gps: tuple[float, float] | None  # (lon, lat)


def _size(upload: Any) -> int | None:
    size = getattr(upload, "size", None)
    return int(size) if size is not None else None


def clean_photo(upload: IO[bytes], name: str = "") -> CleanPhoto:
    """Check and re-encode one uploaded photo; :class:`ReportError` says what is wrong."""
    label = name or _("photo")
    limit = max_bytes()
    size = _size(upload)
    if size is not None and size > limit:
        raise ReportError(errors.PHOTO_TOO_LARGE, _(
            "%(name)s is %(size).1f MB; a photo may be at most %(limit).0f MB."
        ) % {"name": label, "size": size / 1048576, "limit": limit / 1048576}, field="photos")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ReportError(errors.PHOTO_TOO_LARGE, _(
            "%(name)s is larger than %(limit).0f MB."
        ) % {"name": label, "limit": limit / 1048576}, field="photos")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            pixels = probe.size[0] * probe.size[1]
            probe.verify()
        if pixels > MAX_PIXELS:
            raise ReportError(errors.PHOTO_TOO_LARGE, _(
                "%(name)s has %(mp)d megapixels; a photo may have at most %(max)d."
            ) % {"name": label, "mp": pixels // 1_000_000, "max": MAX_PIXELS // 1_000_000},
                field="photos")
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as error:  # far beyond MAX_PIXELS: Pillow refuses
        raise ReportError(errors.PHOTO_TOO_LARGE, _(
            "%(name)s has too many pixels for a photo.") % {"name": label},
            field="photos") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ReportError(errors.PHOTO_NOT_IMAGE, _(
            "%(name)s is not a JPEG, PNG or WebP image."
        ) % {"name": label}, field="photos") from error
    if kind not in ALLOWED:
        raise ReportError(errors.PHOTO_NOT_IMAGE, _(
            "%(name)s is a %(kind)s image; send a JPEG, PNG or WebP photo."
        ) % {"name": label, "kind": kind or "?"}, field="photos")
    exif = image.getexif()
    orientation = exif.get(ORIENTATION)
    gps = _gps(exif)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        kept = Image.Exif()
        if orientation:
            kept[ORIENTATION] = orientation
        image.save(out, "JPEG", quality=85, exif=kept.tobytes() if orientation else b"")
    elif kind == "PNG":
        image.save(out, "PNG", optimize=False)
    else:
        image.save(out, "WEBP", quality=85)
    width, height = image.size
    if orientation in (5, 6, 7, 8):  # rotated by 90 degrees when shown
        width, height = height, width
    return CleanPhoto(out.getvalue(), ALLOWED[kind], width, height, gps)


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        numerator, denominator = value
        return float(numerator) / float(denominator)


def _degrees(parts: Any) -> float:
    degrees, minutes, seconds = (_rational(part) for part in parts)
    return degrees + minutes / 60 + seconds / 3600


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    """(lon, lat) from the EXIF GPS block, or None when it is missing or unreadable."""
    try:
        block = exif.get_ifd(GPS_IFD)
        if not block or 2 not in block or 4 not in block:
            return None
        lat = _degrees(block[2]) * (-1 if str(block.get(1, "N")).upper().startswith("S") else 1)
        lon = _degrees(block[4]) * (-1 if str(block.get(3, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat
