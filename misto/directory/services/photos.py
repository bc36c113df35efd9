"""Photos of a unit (its entrance, so people recognise the door), through the core's one
photo pipeline (``misto.core.photos``): a JPEG, PNG or WebP under the pixel cap, re-encoded
without its metadata, so no camera's GPS position or serial number is published. Check
first (the file and the caption), then store in one transaction and publish on commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.photos import BUSY, NOT_IMAGE, CleanPhoto, PhotoError, clean_photo
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.events import EntryChanged
from misto.directory.models import Unit, UnitPhoto

PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 8  # a card shows a few; more is an album nobody scrolls on a phone


@dataclass(frozen=True)
class CheckedPhoto:
    photo: CleanPhoto
    caption_uk: str
    caption_en: str


def check_photo(upload: IO[bytes] | None, caption_uk: str, caption_en: str = ""
                ) -> CheckedPhoto:
    """The cleaned photo and its captions, or ``DirectoryError`` with the reason."""
    caption_uk, caption_en = (caption_uk or "").strip(), (caption_en or "").strip()
    if not caption_uk:
        raise DirectoryError(DirectoryCode.INVALID,
                             _("Describe the photo in a few words (for people who cannot "
                               "see it)."), field="caption_uk")
    if upload is None:
        raise DirectoryError(DirectoryCode.BAD_PHOTO, _("Choose a photo."), field="photo")
    try:
        clean = clean_photo(upload, getattr(upload, "name", "") or "",
                            max_bytes=PHOTO_MAX_BYTES)
    except PhotoError as error:
        if error.code == NOT_IMAGE:
            raise DirectoryError(DirectoryCode.BAD_PHOTO, _("The photo is not a readable "
                                                           "image."), field="photo") from error
        raise DirectoryError(DirectoryCode.BAD_PHOTO, error.message, field="photo",
                             status=503 if error.code == BUSY else 400) from error
    return CheckedPhoto(clean, caption_uk[:200], caption_en[:200])


def add_photo(unit: Unit, checked: CheckedPhoto) -> UnitPhoto:
    with transaction.atomic():
        # Lock the unit so two uploads at once cannot both pass the count.
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if unit.photos.count() >= MAX_PHOTOS:
            raise DirectoryError(DirectoryCode.TOO_MANY,
                                 _("A place has at most %(n)d photos: remove one first.")
                                 % {"n": MAX_PHOTOS})
        row = UnitPhoto(unit=unit, width=checked.photo.width, height=checked.photo.height,
                        caption_uk=checked.caption_uk, caption_en=checked.caption_en)
        row.image.save(f"photo.{checked.photo.extension}", ContentFile(checked.photo.content),
                       save=False)
        row.save()
        bus.publish(EntryChanged(unit=unit.slug, department=unit.department, what="photos"))
    return row


def remove_photo(unit: Unit, photo_id: int) -> None:
    with transaction.atomic():
        row = unit.photos.filter(pk=photo_id).first()
        if row is None:
            raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such photo."))
        name = row.image.name
        row.delete()
        bus.publish(EntryChanged(unit=unit.slug, department=unit.department, what="photos"))
        storage = row.image.storage
        transaction.on_commit(lambda: storage.delete(name))


def access_photo(user: Any, photo_id: int) -> UnitPhoto:
    """A photo of a unit the user may see (the same 404 for a hidden one and a missing one)."""
    from misto.directory.services.places import access_unit

    row = UnitPhoto.objects.select_related("unit").filter(pk=photo_id).first()
    if row is None:
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such photo."))
    access_unit(user, row.unit.slug)
    return row
