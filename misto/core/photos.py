"""The one photo pipeline: an upload is checked by content and size, re-encoded without
metadata (orientation kept), and its GPS position read from EXIF for whoever wants it.

Used by the reports and the situational centre (crew photos); each module turns
:class:`PhotoError` into its own error and chooses its byte limit.

Why decoding is guarded: a photo's file size says nothing about its decoded size. A
one-colour 49-megapixel PNG is 190 KB on the wire and ~200 MB once decoded, so four parallel
uploads took a server from 512 MB to 2.3 GB. Hence (1) the pixel count is read from the
header and checked *before* anything is decoded, against what phones produce
(``MISTO_PHOTO_MAX_PIXELS``, 24 MP); (2) decoding and re-encoding run in a process-wide pool
of ``MISTO_PHOTO_DECODERS`` threads, so at most that many images are in memory at once
however many uploads arrive. A pool rather than a semaphore in each request's thread:
the C allocator keeps freed memory in a per-thread arena, so decodes taking turns in four
request threads still leave four images' worth of memory behind, while the pool's few
threads reuse theirs; (3) JPEGs are decoded straight at the reduced size they are stored at.
"""

from __future__ import annotations

import io
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from misto.core.config import env_int
from misto.core.errors import MistoError

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported by the two functions that open an image, not above: this file loads
# with Django (through the services that take photos) and Pillow costs ~0.01 s of that.

ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_SIDE = 2560
ORIENTATION = 0x0112
GPS_IFD = 0x8825
DECODE_WAIT_SECONDS = 60.0



class PhotoCode(StrEnum):
    TOO_LARGE = "photo_too_large"
    NOT_IMAGE = "photo_not_image"
    BUSY = "photo_busy"


# The short names the photo's callers (reports) compare codes with, as plain strings.
TOO_LARGE: str = PhotoCode.TOO_LARGE
NOT_IMAGE: str = PhotoCode.NOT_IMAGE
BUSY: str = PhotoCode.BUSY


class PhotoError(MistoError):
    """A photo refused: ``code`` is a :class:`PhotoCode`, ``message`` is for people."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str
    width: int
    height: int
    gps: tuple[float, float] | None  # (lon, lat)


def max_pixels() -> int:
    return env_int("MISTO_PHOTO_MAX_PIXELS", 24_000_000, minimum=1)


@lru_cache(maxsize=4)
def _decoders(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix=f"misto-photo-{size}")


def decoders() -> ThreadPoolExecutor:
    """The process-wide decoding pool (one per configured size)."""
    return _decoders(env_int("MISTO_PHOTO_DECODERS", 2, minimum=1))


def _size(upload: Any) -> int | None:
    size = getattr(upload, "size", None)
    return int(size) if size is not None else None


def _read(upload: IO[bytes], label: str, limit: int) -> bytes:
    size = _size(upload)
    if size is not None and size > limit:
        raise PhotoError(PhotoCode.TOO_LARGE, _(
            "%(name)s is %(size).1f MB; a photo may be at most %(limit).0f MB."
        ) % {"name": label, "size": size / 1048576, "limit": limit / 1048576})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(PhotoCode.TOO_LARGE, _(
            "%(name)s is larger than %(limit).0f MB."
        ) % {"name": label, "limit": limit / 1048576})
    return data


def _probe(data: bytes, label: str) -> str:
    """The format, after checking the header's pixel count; decodes nothing."""
    from PIL import Image, UnidentifiedImageError

    not_image = PhotoError(PhotoCode.NOT_IMAGE, _("%(name)s is not a JPEG, PNG or WebP image.")
                           % {"name": label})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            pixels = probe.size[0] * probe.size[1]
            if kind in ALLOWED and pixels <= max_pixels():
                probe.verify()  # checks the structure (PNG CRCs...) without decoding pixels
    except Image.DecompressionBombError as error:  # far beyond any cap: Pillow refuses
        raise PhotoError(PhotoCode.TOO_LARGE, _("%(name)s has too many pixels for a photo.")
                         % {"name": label}) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise not_image from error
    if kind not in ALLOWED:
        raise PhotoError(PhotoCode.NOT_IMAGE, _(
            "%(name)s is a %(kind)s image; send a JPEG, PNG or WebP photo."
        ) % {"name": label, "kind": kind or "?"})
    if pixels > max_pixels():
        raise PhotoError(PhotoCode.TOO_LARGE, _(
            "%(name)s has %(mp).1f megapixels; a photo may have at most %(max).0f."
        ) % {"name": label, "mp": pixels / 1_000_000, "max": max_pixels() / 1_000_000})
    return kind


def clean_photo(upload: IO[bytes], name: str = "", *, max_bytes: int) -> CleanPhoto:
    """Check and re-encode one uploaded photo; :class:`PhotoError` says what is wrong."""
    label = name or _("photo")
    data = _read(upload, label, max_bytes)
    kind = _probe(data, label)
    job: Future[CleanPhoto] = decoders().submit(_reencode, data, kind, label,
                                                translation.get_language())
    try:
        return job.result(timeout=DECODE_WAIT_SECONDS)
    except FutureTimeout:
        job.cancel()  # still queued: it never runs; already running: its result is dropped
        raise PhotoError(PhotoCode.BUSY,
                         _("The server is busy with other photos; please send %(name)s again "
                           "in a minute.") % {"name": label}, status=503) from None


def _reencode(data: bytes, kind: str, label: str, language: str | None) -> CleanPhoto:
    """Decode (in a pool thread, speaking the request's ``language``) and write the photo
    again without metadata."""
    with translation.override(language):
        return _decode_and_write(data, kind, label)


def _decode_and_write(data: bytes, kind: str, label: str) -> CleanPhoto:
    from PIL import Image, UnidentifiedImageError

    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        if kind == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_SIDE
            image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError(PhotoCode.NOT_IMAGE, _("%(name)s is not a JPEG, PNG or WebP image.")
                         % {"name": label}) from error
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
