"""Photos of proposals and of implementation steps, through the core's one pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.models import Photo, Progress, Project
from misto.core import photos

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int


def clean_photos(uploads: Sequence[IO[bytes]]) -> list[CleanImage]:
    """At most three photos, each re-encoded without metadata; the reason when one is not."""
    if len(uploads) > MAX_PHOTOS:
        raise BudgetError(BudgetCode.INVALID, _("Attach at most %(n)d photos.")
                          % {"n": MAX_PHOTOS}, field="photos")
    cleaned = []
    for upload in uploads:
        try:
            photo = photos.clean_photo(upload, getattr(upload, "name", "") or "",
                                       max_bytes=MAX_BYTES)
        except photos.PhotoError as error:
            raise BudgetError(BudgetCode.INVALID, error.message, field="photos") from None
        cleaned.append(CleanImage(ContentFile(photo.content, name=f"photo.{photo.extension}"),
                                  photo.width, photo.height))
    return cleaned


def save_photos(project: Project, images: Sequence[CleanImage],
                step: Progress | None = None) -> None:
    for image in images:
        Photo.objects.create(project=project, step=step, image=image.content,
                             width=image.width, height=image.height)


def access_photo(photo_id: int) -> Any:
    found = Photo.objects.select_related("project").filter(pk=photo_id).first()
    if found is None:
        raise BudgetError(BudgetCode.NOT_FOUND, _("There is no such photo."))
    return found
