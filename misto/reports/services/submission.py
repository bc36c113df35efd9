"""Submitting a report: every check first (:func:`check_submission`, writing nothing), then
one transaction creating the report, its contact, photos, history line and ``ReportCreated``;
an idempotency key makes a retried submission return the first report.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from misto.core.bus import publish
from misto.reports.errors import ReportError, ReportErrors, ReportsCode
from misto.reports.events import ReportCreated
from misto.reports.models import (
    ApiKey,
    Category,
    Change,
    Channel,
    Contact,
    Follower,
    Photo,
    Report,
    Status,
    SubmissionKey,
)
from misto.reports.photos import CleanPhoto, clean_photo, max_photos
from misto.reports.services.attributes import check_attributes
from misto.reports.services.catalogue import one_catalogue
from misto.reports.services.categories import get_category, route
from misto.reports.services.location import Place, resolve_place
from misto.reports.services.reading import report_url


@dataclass
class Submission:
    """What a resident, an operator or an app sends. Location: see :func:`resolve_place`."""

    category: str
    description: str
    lon: Any = None
    lat: Any = None
    landmark: str = ""
    address: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    photos: Sequence[IO[bytes]] = ()
    use_photo_location: bool = False
    channel: str = Channel.WEB
    author: Any = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    api_key: ApiKey | None = None
    duplicate_of: str = ""
    media_url: str = ""
    require_description: bool = True
    # When the city received it, if earlier than now (a call logged after the fact, a
    # back-filled import, the demo city's history); never in the future.
    received_at: datetime | None = None
    # The client's key for this submission (see :func:`check_idempotency_key`): a retry with
    # the same key returns the first report instead of making another.
    idempotency_key: str = ""


@dataclass(frozen=True)
class Checked:
    """Everything :func:`submit` writes, checked: creating the report reads nothing else,
    so nothing the checks did not see (or would refuse) can reach the database."""

    category: Category
    place: Place
    description: str
    answers: dict[str, Any]
    photos: list[CleanPhoto]
    channel: str
    author: Any  # the signed-in author, or None
    api_key: ApiKey | None
    contact_name: str
    contact_phone: str
    contact_email: str
    media_url: str
    original: Report | None  # the report this one says it duplicates, when it exists
    idempotency_digest: str | None
    received_at: datetime | None


# The longest value each stored text may have (the columns' sizes): longer is refused, as
# cutting it would store something the sender did not write.
TEXT_LIMITS: dict[str, tuple[int, ReportsCode, Any]] = {
    "contact_name": (200, ReportsCode.BAD_CONTACT, gettext_lazy("The name")),
    "contact_phone": (40, ReportsCode.BAD_CONTACT, gettext_lazy("The phone")),
    "contact_email": (254, ReportsCode.BAD_CONTACT, gettext_lazy("The e-mail address")),
    "media_url": (500, ReportsCode.BAD_REQUEST, gettext_lazy("The photo link")),
}


def check_text_limits(data: Submission) -> list[ReportError]:
    """The problems with the submission's texts that are stored as given (see TEXT_LIMITS)."""
    problems: list[ReportError] = []
    for name, (limit, code, label) in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            problems.append(ReportError(code, _(
                "%(what)s is longer than %(limit)d characters."
            ) % {"what": label, "limit": limit}, field=name))
    return problems


def check_submission(data: Submission) -> Checked:
    """Every check of a new report, collecting all problems; writes nothing."""
    problems: list[ReportError] = []
    category: Category | None = None
    try:
        category = get_category(data.category)
    except ReportError as error:
        problems.append(error)
    description = (data.description or "").strip()
    if not description and data.require_description:
        problems.append(ReportError(ReportsCode.NO_DESCRIPTION, _(
            "Describe the problem in a few words."), field="description"))
    elif len(description) > 4000:
        problems.append(ReportError(ReportsCode.NO_DESCRIPTION, _(
            "The description is longer than 4000 characters."), field="description"))
    problems.extend(check_text_limits(data))
    if data.received_at is not None and data.received_at > timezone.now() + timedelta(minutes=1):
        problems.append(ReportError(ReportsCode.BAD_REQUEST,
                                    _("A report cannot be received in the future."),
                                    field="received_at"))
    photos: list[CleanPhoto] = []
    if len(data.photos) > max_photos():
        problems.append(ReportError(ReportsCode.TOO_MANY_PHOTOS, _(
            "Attach at most %(n)d photos.") % {"n": max_photos()}, field="photos"))
    else:
        for upload in data.photos:
            try:
                photos.append(clean_photo(upload, getattr(upload, "name", "") or ""))
            except ReportError as error:
                problems.append(error)
    lon, lat = data.lon, data.lat
    no_place = not data.landmark and lon in (None, "") and not data.address
    if data.use_photo_location and no_place:
        located = next((photo.gps for photo in photos if photo.gps), None)
        if located:
            lon, lat = located
    place: Place | None = None
    try:
        place = resolve_place(lon=lon, lat=lat, landmark=data.landmark, address=data.address)
    except ReportError as error:
        problems.append(error)
    answers: dict[str, Any] = {}
    if category is not None:
        try:
            answers = check_attributes(category, data.attributes)
        except ReportErrors as many:
            problems.extend(many.errors)
        except ReportError as error:
            problems.append(error)
    if problems:
        raise problems[0] if len(problems) == 1 else ReportErrors(problems)
    assert category is not None and place is not None
    author = data.author if data.author is not None and data.author.is_authenticated else None
    original = (Report.objects.filter(public_id=data.duplicate_of).first()
                if data.duplicate_of else None)
    return Checked(
        category=category, place=place, description=description, answers=answers,
        photos=photos, channel=data.channel, author=author, api_key=data.api_key,
        contact_name=data.contact_name, contact_phone=data.contact_phone,
        contact_email=data.contact_email, media_url=data.media_url, original=original,
        idempotency_digest=_idempotency_digest(data), received_at=data.received_at)


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def check_idempotency_key(value: str | None) -> str:
    """A client's idempotency key as given ("" when none): 1 to 255 visible ASCII
    characters, as the IETF Idempotency-Key draft suggests for generated UUIDs or tokens."""
    value = (value or "").strip()
    if value and not IDEMPOTENCY_KEY.match(value):
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "The idempotency key must be 1 to 255 visible ASCII characters (e.g. a UUID)."))
    return value


def _idempotency_digest(data: Submission) -> str | None:
    """The stored form of the key: scoped by channel and app, so that two apps (or the form
    and an app) choosing the same key never see each other's reports."""
    if not data.idempotency_key:
        return None
    scope = f"{data.channel}:{data.api_key.pk if data.api_key else ''}:{data.idempotency_key}"
    return hashlib.sha256(scope.encode()).hexdigest()


def submitted_before(data: Submission) -> Report | None:
    """The report an earlier submission with the same idempotency key created, if any."""
    digest = _idempotency_digest(data)
    if digest is None:
        return None
    return Report.objects.select_related("category", "department").filter(
        submission_key__digest=digest).first()


def submit(data: Submission) -> Report:
    """Check, then create the report, its contact, photos and history in one transaction
    and publish ``reports.ReportCreated``. Raises :class:`ReportError`; saves nothing then.

    A submission repeating an earlier one's idempotency key returns that report and
    creates nothing (not even checking again: the retry of a lost answer must not fail
    where the first attempt succeeded)."""
    first = submitted_before(data)
    if first is not None:
        return first
    try:
        with one_catalogue():  # one stamp query for the checks and the route
            checked = check_submission(data)
            return _create(checked)
    except IntegrityError:
        # A concurrent retry with the same key committed first: its report is the answer.
        first = submitted_before(data)
        if first is None:
            raise
        return first


def _create(checked: Checked) -> Report:
    """Write the checked submission; reads only ``checked`` (see :class:`Checked`)."""
    author, original = checked.author, checked.original
    now = checked.received_at or timezone.now()
    category, place = checked.category, checked.place
    with transaction.atomic():
        report = Report.objects.create(
            category=category, department=route(category, place.district),
            district=place.district, district_name=place.district_name,
            location=Point(place.lon, place.lat, srid=4326), address=place.address,
            landmark=place.landmark, description=checked.description,
            attributes=checked.answers, channel=checked.channel, author=author,
            api_key=checked.api_key, media_url=checked.media_url, created_at=now,
            updated_at=now,
            due_at=now + timedelta(hours=category.sla_hours),
        )
        if checked.idempotency_digest is not None:
            SubmissionKey.objects.create(digest=checked.idempotency_digest, report=report)
        if checked.contact_name or checked.contact_phone or checked.contact_email:
            Contact.objects.create(report=report, name=checked.contact_name,
                                   phone=checked.contact_phone, email=checked.contact_email)
        for photo in checked.photos:
            _save_photo(report, photo, Photo.Kind.REPORT)
        Change.objects.create(report=report, kind=Change.Kind.CREATED, status=Status.NEW,
                              actor=author, at=now)
        if original is not None and original.is_open and author is not None:
            Follower.objects.get_or_create(report=original, user=author)
        assert report.public_id is not None  # the insert's trigger numbered it (Report.save)
        publish(ReportCreated(
            report_id=report.pk, public_id=report.public_id, category=category.code,
            category_title=category.title,
            department=report.department.code if report.department else None,
            district=place.district or None, lon=place.lon, lat=place.lat,
            landmark=place.landmark, address=report.address, author_user_id=report.author_id,
            channel=report.channel, created_at=now.isoformat(), url=report_url(report),
        ))
    return report


def _save_photo(report: Report, photo: CleanPhoto, kind: str) -> Photo:
    row = Photo(report=report, kind=kind, width=photo.width, height=photo.height)
    row.image.save(f"{report.public_id or report.pk}-{secrets.token_hex(6)}.{photo.extension}",
                   ContentFile(photo.content), save=False)
    row.save()
    return row
