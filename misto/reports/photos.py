"""Reports' photo limits over the core's photo pipeline (``misto.core.photos``): the size
and count a report may carry, and the pipeline's refusals as :class:`ReportError`."""

from __future__ import annotations

from typing import IO

from misto.core import photos
from misto.core.config import env_int
from misto.core.photos import CleanPhoto
from misto.reports.errors import ReportError, ReportsCode

__all__ = ["CleanPhoto", "clean_photo", "max_bytes", "max_photos"]
STATUS = {photos.BUSY: 503}


def max_bytes() -> int:
    return env_int("MISTO_REPORTS_MAX_PHOTO_BYTES", 10 * 1024 * 1024, minimum=1)


def max_photos() -> int:
    return env_int("MISTO_REPORTS_MAX_PHOTOS", 5, minimum=0)


def clean_photo(upload: IO[bytes], name: str = "") -> CleanPhoto:
    """Check and re-encode one uploaded photo; :class:`ReportError` says what is wrong."""
    try:
        return photos.clean_photo(upload, name, max_bytes=max_bytes())
    except photos.PhotoError as error:
        code = ReportsCode.PHOTO_NOT_IMAGE if error.code == photos.NOT_IMAGE else \
            ReportsCode.PHOTO_TOO_LARGE
        raise ReportError(code, error.message, status=STATUS.get(error.code, 400),
                          field="photos") from error
