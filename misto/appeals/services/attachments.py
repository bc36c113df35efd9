"""An attachment is a PDF, or a photo through the core's one photo pipeline (re-encoded,
metadata and GPS removed, pixels capped)."""

from __future__ import annotations

from typing import IO

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from misto.appeals.errors import AppealError, AppealsCode
from misto.core import photos

MAX_BYTES = 10 * 1024 * 1024


def clean_attachment(upload: IO[bytes] | None, name: str = "") -> ContentFile | None:
    if upload is None:
        return None
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise AppealError(AppealsCode.INVALID, _("The attachment is larger than 10 MB."),
                              field="attachment")
        return ContentFile(data, name="attachment.pdf")
    try:
        photo = photos.clean_photo(upload, name, max_bytes=MAX_BYTES)
    except photos.PhotoError as error:
        raise AppealError(AppealsCode.INVALID,
                          _("Attach a PDF or a photo (JPEG, PNG): %(reason)s")
                          % {"reason": error.message}, field="attachment") from None
    return ContentFile(photo.content, name=f"attachment.{photo.extension}")
