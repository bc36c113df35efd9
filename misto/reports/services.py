"""Reports' domain operations: plain functions that the pages, the JSON API, Open311, the
contact centre's page, tasks and commands call.

Checks come first (``check_*``, ``resolve_*``: they raise :class:`ReportError` and write
nothing); then one transaction writes the change, its history line and its domain event
(the outbox), so a report never exists half-written and never changes silently.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.contrib.gis.geos import Point, Polygon
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import FloatField, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from misto import twin
from misto.core.bus import publish
from misto.core.permissions import can, scope_filter
from misto.reports import errors
from misto.reports.errors import ReportError, ReportErrors
from misto.reports.events import ReportCreated, ReportOverdue, ReportStatusChanged
from misto.reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ApiKey,
    Attribute,
    Category,
    CategoryRoute,
    Change,
    Channel,
    Contact,
    Datatype,
    Department,
    Follower,
    Photo,
    Report,
    Status,
    SubmissionKey,
)
from misto.reports.photos import CleanPhoto, clean_photo, max_photos
from misto.residents import codes

EARTH_M_PER_DEGREE = 111_320.0
NEARBY_METRES = 150.0

# Which status may follow which. Duplicates are linked with :func:`mark_duplicate`.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.ACCEPTED: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.IN_PROGRESS: {Status.ACCEPTED, Status.RESOLVED, Status.REJECTED},
    Status.RESOLVED: {Status.IN_PROGRESS},
    Status.REJECTED: {Status.ACCEPTED},
    Status.DUPLICATE: {Status.ACCEPTED},
}
NOTE_REQUIRED: dict[str, Any] = {
    Status.REJECTED: gettext_lazy("Give the reason for rejecting the report."),
    Status.RESOLVED: gettext_lazy("Say what was done."),
}


# --- Categories ---------------------------------------------------------------------


def localized(uk: str, en: str) -> str:
    return en if (get_language() or "uk").startswith("en") and en else uk


def category_title(category: Category) -> str:
    return localized(category.title, category.title_en)


def leaf_categories() -> QuerySet[Category]:
    """The categories a resident can choose: active ones without active children."""
    return (Category.objects.filter(active=True)
            .exclude(children__active=True).select_related("parent", "department")
            .order_by("parent__order", "parent__title", "order", "title"))


def get_category(code: str) -> Category:
    category = (Category.objects.filter(code=str(code).strip(), active=True)
                .exclude(children__active=True)
                .select_related("department", "parent", "parent__department").first())
    if category is None:
        raise ReportError(errors.UNKNOWN_CATEGORY, _(
            "There is no category “%(code)s”. Choose one of the listed services."
        ) % {"code": str(code)[:64]}, field="category")
    return category


def find_category(text: str) -> str:
    """A category code from what an operator typed: the code, or a title in either language
    (case-insensitive). Returns the text unchanged when nothing matches."""
    text = (text or "").strip()
    if not text or Category.objects.filter(code=text).exists():
        return text
    folded = text.casefold()
    for category in leaf_categories():
        if folded in (category.title.casefold(), category.title_en.casefold()):
            return category.code
    return text


def route(category: Category, district: str) -> Department | None:
    """The department that handles ``category`` in ``district``: walking up from the
    category, the first district route or department found. One query for the routes."""
    chain: list[Category] = []
    node: Category | None = category
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent
    routes: dict[int, Department] = {}
    if district:
        routes = {r.category_id: r.department for r in CategoryRoute.objects.filter(
            category__in=chain, district=district).select_related("department")}
    for node in chain:
        if node.pk in routes:
            return routes[node.pk]
        if node.department_id:
            return node.department
    return None


# --- Location -----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    district: str
    district_name: str
    address: str = ""
    landmark: str = ""


def _float(value: Any, name: str) -> float:
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError) as error:
        raise ReportError(errors.BAD_COORDINATES, _("%(name)s must be a number, got “%(v)s”.")
                          % {"name": name, "v": str(value)[:40]}, field="location") from error
    if not math.isfinite(number):
        raise ReportError(errors.BAD_COORDINATES, _("%(name)s must be a finite number.")
                          % {"name": name}, field="location")
    return number


def resolve_place(*, lon: Any = None, lat: Any = None, landmark: str = "",
                  address: str = "") -> Place:
    """Where the problem is, from a landmark number, coordinates or an address (in that
    order of precedence). Raises :class:`ReportError` when none fits or it is outside."""
    landmark = (landmark or "").strip()
    address = (address or "").strip()
    number = ""
    if landmark:
        feature = twin.landmark(landmark)
        if feature is None:
            raise ReportError(errors.UNKNOWN_LANDMARK, _(
                "No landmark has the number “%(number)s”. Check the plate on the pole, "
                "manhole or tree (e.g. 12-0457)."
            ) % {"number": landmark[:32]}, field="landmark")
        point = feature.geometry.point_on_surface
        x, y, number = point.x, point.y, feature.number or landmark
    elif lon not in (None, "") and lat not in (None, ""):
        x, y = _float(lon, "lon"), _float(lat, "lat")
        try:
            twin.check_lon_lat(x, y)
        except twin.TwinError as error:
            raise ReportError(errors.BAD_COORDINATES, error.message, field="location") from error
    elif address:
        hits = twin.search(address, limit=5)
        preferred = [hit for hit in hits if hit.kind in ("address", "landmark")] or hits
        if not preferred:
            raise ReportError(errors.ADDRESS_NOT_FOUND, _(
                "The address “%(address)s” was not found in the city."
            ) % {"address": address[:100]}, field="address")
        hit = preferred[0]
        x, y = hit.lon, hit.lat
        number = hit.number or "" if hit.kind == "landmark" else ""
    else:
        raise ReportError(errors.NO_LOCATION, _(
            "Say where the problem is: click the map, use your location, type an address "
            "or the landmark number."), field="location")
    district = twin.district_at(x, y)
    if district is None:
        raise ReportError(errors.OUTSIDE_CITY, _(
            "The place (%(lon).5f, %(lat).5f) is outside the city's districts."
        ) % {"lon": x, "lat": y}, field="location")
    near = twin.nearest_address(x, y)
    found_address = near.name if near is not None and near.distance_m < 150 else ""
    return Place(x, y, district.katottg, district.name, address or found_address, number)


# --- Attributes ---------------------------------------------------------------------


def check_attributes(category: Category, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check the answers to the category's questions; returns them typed.

    ``raw`` maps attribute codes to a string, or a list of strings for multi-value lists.
    """
    problems: list[ReportError] = []
    answers: dict[str, Any] = {}
    known = {a.code: a for a in category.attributes.filter(variable=True)}
    for code in raw:
        if code not in known:
            problems.append(ReportError(errors.BAD_ATTRIBUTE, _(
                "“%(code)s” is not a question of “%(category)s”."
            ) % {"code": str(code)[:64], "category": category.code}, field=f"attr_{code}"))
    for code, attribute in known.items():
        value = raw.get(code)
        values = [str(v).strip() for v in (value if isinstance(value, list | tuple) else
                                           [value] if value is not None else []) if str(v).strip()]
        if not values:
            if attribute.required:
                problems.append(ReportError(errors.MISSING_ATTRIBUTE, _(
                    "Answer the required question “%(question)s” (attribute[%(code)s])."
                ) % {"question": attribute.description, "code": code}, field=f"attr_{code}"))
            continue
        try:
            answers[code] = _typed(attribute, values)
        except ValueError as error:
            problems.append(ReportError(errors.BAD_ATTRIBUTE, str(error), field=f"attr_{code}"))
    if problems:
        raise problems[0] if len(problems) == 1 else ReportErrors(problems)
    return answers


def _typed(attribute: Attribute, values: list[str]) -> Any:
    code = attribute.code
    if attribute.datatype in (Datatype.SINGLE, Datatype.MULTI):
        keys = {str(item.get("key")) for item in attribute.values}
        wrong = [value for value in values if value not in keys]
        if wrong:
            raise ValueError(_("“%(value)s” is not an allowed answer to “%(code)s” "
                               "(allowed: %(keys)s).") % {"value": wrong[0][:50], "code": code,
                                                         "keys": ", ".join(sorted(keys))})
        if attribute.datatype == Datatype.SINGLE:
            if len(values) > 1:
                raise ValueError(_("“%(code)s” takes one answer.") % {"code": code})
            return values[0]
        return values
    if len(values) > 1:
        raise ValueError(_("“%(code)s” takes one answer.") % {"code": code})
    value = values[0]
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = float(value.replace(",", "."))
        except ValueError as error:
            raise ValueError(_("“%(code)s” must be a number.") % {"code": code}) from error
        if not math.isfinite(number):
            raise ValueError(_("“%(code)s” must be a number.") % {"code": code})
        return int(number) if number.is_integer() else number
    if attribute.datatype == Datatype.DATETIME:
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(_("“%(code)s” must be a date and time like 2026-05-01T08:30:00Z.")
                             % {"code": code})
        return value
    limit = 2000 if attribute.datatype == Datatype.TEXT else 300
    if len(value) > limit:
        raise ValueError(_("“%(code)s” is longer than %(limit)d characters.")
                         % {"code": code, "limit": limit})
    return value


# --- Submitting ---------------------------------------------------------------------


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
    # The client's key for this submission (see :func:`check_idempotency_key`): a retry with
    # the same key returns the first report instead of making another.
    idempotency_key: str = ""


@dataclass(frozen=True)
class Checked:
    category: Category
    place: Place
    description: str
    answers: dict[str, Any]
    photos: list[CleanPhoto]


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
        problems.append(ReportError(errors.NO_DESCRIPTION, _(
            "Describe the problem in a few words."), field="description"))
    elif len(description) > 4000:
        problems.append(ReportError(errors.NO_DESCRIPTION, _(
            "The description is longer than 4000 characters."), field="description"))
    photos: list[CleanPhoto] = []
    if len(data.photos) > max_photos():
        problems.append(ReportError(errors.TOO_MANY_PHOTOS, _(
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
    return Checked(category, place, description, answers, photos)


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def check_idempotency_key(value: str | None) -> str:
    """A client's idempotency key as given ("" when none): 1 to 255 visible ASCII
    characters, as the IETF Idempotency-Key draft suggests for generated UUIDs or tokens."""
    value = (value or "").strip()
    if value and not IDEMPOTENCY_KEY.match(value):
        raise ReportError(errors.BAD_REQUEST, _(
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
    checked = check_submission(data)
    try:
        return _create(data, checked)
    except IntegrityError:
        # A concurrent retry with the same key committed first: its report is the answer.
        first = submitted_before(data)
        if first is None:
            raise
        return first


def _create(data: Submission, checked: Checked) -> Report:
    original = None
    if data.duplicate_of:
        original = Report.objects.filter(public_id=data.duplicate_of).first()
    author = data.author if data.author is not None and data.author.is_authenticated else None
    now = timezone.now()
    category, place = checked.category, checked.place
    with transaction.atomic():
        report = Report.objects.create(
            category=category, department=route(category, place.district),
            district=place.district, district_name=place.district_name,
            location=Point(place.lon, place.lat, srid=4326), address=place.address[:300],
            landmark=place.landmark, description=checked.description,
            attributes=checked.answers, channel=data.channel, author=author,
            api_key=data.api_key, media_url=data.media_url[:500], created_at=now, updated_at=now,
            due_at=now + timedelta(hours=category.sla_hours),
        )
        report.public_id = f"{now.year}-{report.pk:06d}"
        report.save(update_fields=["public_id"])
        digest = _idempotency_digest(data)
        if digest is not None:
            SubmissionKey.objects.create(digest=digest, report=report)
        if data.contact_name or data.contact_phone or data.contact_email:
            Contact.objects.create(report=report, name=data.contact_name[:200],
                                   phone=data.contact_phone[:40],
                                   email=data.contact_email[:254])
        for photo in checked.photos:
            _save_photo(report, photo, Photo.Kind.REPORT)
        Change.objects.create(report=report, kind=Change.Kind.CREATED, status=Status.NEW,
                              actor=author, at=now)
        if original is not None and original.is_open and author is not None:
            Follower.objects.get_or_create(report=original, user=author)
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


def report_url(report: Report) -> str:
    return reverse("reports:detail", args=[report.public_id])


def check_point(lon: float, lat: float) -> None:
    """Coordinates a query can use: finite and on the globe (else ``bad_coordinates``)."""
    try:
        twin.check_lon_lat(lon, lat)
    except twin.TwinError as error:
        raise ReportError(errors.BAD_COORDINATES, error.message, field="location") from error


def nearby_open(category: Category | str, lon: float, lat: float,
                radius_m: float = NEARBY_METRES, limit: int = 5,
                exclude: int | None = None) -> list[tuple[Report, float]]:
    """Open, visible reports of the same category within ``radius_m``, nearest first."""
    check_point(lon, lat)
    code = category.code if isinstance(category, Category) else category
    dlat = radius_m / EARTH_M_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = in_bbox((lon - dlon, lat - dlat, lon + dlon, lat + dlat)).filter(
        category__code=code, status__in=OPEN_STATUSES, hidden=False)
    if exclude:
        rows = rows.exclude(pk=exclude)
    found = []
    for report in rows.select_related("category")[:200]:
        metres = twin.distance_m(lon, lat, report.location.x, report.location.y)
        if metres <= radius_m:
            found.append((report, metres))
    found.sort(key=lambda pair: pair[1])
    return found[:limit]


# --- Reading ------------------------------------------------------------------------


def check_bbox(text: str) -> tuple[float, float, float, float]:
    """A ``bbox`` filter read by the twin's one parser, refused as ``bad_request``."""
    try:
        return twin.parse_bbox(text)
    except twin.TwinError as error:
        raise ReportError(errors.BAD_REQUEST, error.message, field="bbox") from error


def in_bbox(bbox: tuple[float, float, float, float]) -> QuerySet[Report]:
    """Reports whose location is inside (west, south, east, north), via the spatial index."""
    west, south, east, north = bbox
    rows = Report.objects.all()
    if connection.vendor == "postgresql":
        return rows.filter(location__bboverlaps=Polygon.from_bbox(bbox))
    return rows.filter(pk__in=RawSQL(
        "SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'reports_report' AND "
        "f_geometry_column = 'location' AND search_frame = BuildMbr(%s, %s, %s, %s)",
        (west, south, east, north),
    ))


@dataclass
class Filters:
    category: str = ""
    status: str = ""  # a status, or "open" / "closed"
    district: str = ""
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None


def public_reports(filters: Filters) -> QuerySet[Report]:
    rows = Report.objects.filter(hidden=False)
    if filters.bbox:
        rows = in_bbox(filters.bbox).filter(hidden=False)
    if filters.category:
        rows = rows.filter(Q(category__code=filters.category)
                           | Q(category__parent__code=filters.category))
    if filters.status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        rows = rows.filter(status__in=CLOSED_STATUSES)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.district:
        rows = rows.filter(district=filters.district)
    if filters.since:
        rows = rows.filter(created_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(created_at__lt=filters.until)
    return rows.select_related("category", "department")


def map_points(filters: Filters, limit: int = 5000) -> list[dict[str, Any]]:
    """What the map draws: a few columns per report, coordinates read by the database
    (no geometry objects built per row). With a bbox the spatial index drives the query and
    no ordering is imposed (an ORDER BY would let SQLite walk the date index instead);
    without one, the newest ``limit`` reports."""
    rows = public_reports(filters).select_related(None)
    rows = rows.order_by() if filters.bbox else rows.order_by("-created_at")
    categories = {pk: (code, title, title_en) for pk, code, title, title_en in
                  Category.objects.values_list("pk", "code", "title", "title_en")}
    found = rows.annotate(
        lon=Func("location", function="ST_X", output_field=FloatField()),
        lat=Func("location", function="ST_Y", output_field=FloatField()),
    ).values_list("public_id", "lon", "lat", "status", "category_id")[:limit]
    return [{"public_id": public_id, "lon": lon, "lat": lat, "status": status,
             "category": categories[category][0], "category_title": categories[category][1],
             "category_title_en": categories[category][2]}
            for public_id, lon, lat, status, category in found]


def get_report(public_id: str) -> Report:
    report = (Report.objects.select_related("category", "department", "duplicate_of")
              .filter(public_id=str(public_id)[:20]).first())
    if report is None:
        raise ReportError(errors.NOT_FOUND, _("There is no report “%(id)s”.")
                          % {"id": str(public_id)[:20]}, status=404)
    return report


def access_photo(user: Any, photo_id: int) -> Photo:
    """A photo ``user`` may see: anyone a public one (shown, of a shown report), otherwise
    those who may view the report. The same 404 whether it is missing or not theirs."""
    photo = Photo.objects.select_related("report", "report__department").filter(
        pk=photo_id).first()
    if photo is None or not (photo.is_public or can(user, "reports.report.view", photo.report)):
        raise ReportError(errors.NOT_FOUND, _("There is no such photo."), status=404)
    return photo


def answer_labels(report: Report) -> list[tuple[str, str]]:
    """The report's answers as (question, answer) in the reader's language."""
    rows = []
    questions = {a.code: a for a in report.category.attributes.all()}
    for code, value in (report.attributes or {}).items():
        attribute = questions.get(code)
        if attribute is None:
            rows.append((code, str(value)))
            continue
        names = {str(v.get("key")): localized(str(v.get("name", "")), str(v.get("name_en", "")))
                 for v in attribute.values}
        values = value if isinstance(value, list) else [value]
        rows.append((localized(attribute.description, attribute.description_en),
                     ", ".join(names.get(str(v), str(v)) for v in values)))
    return rows


def history(report: Report, *, staff: bool = False) -> QuerySet[Change]:
    rows = report.changes.select_related("actor")
    return rows if staff else rows.filter(public=True)


def report_summary(report_id: int) -> dict[str, Any] | None:
    """The public view of one report, for other modules (no personal data)."""
    report = Report.objects.select_related("category").filter(pk=report_id).first()
    if report is None or report.hidden:
        return None
    return {"public_id": report.public_id, "category": report.category.code,
            "category_title": report.category.title, "status": report.status,
            "district": report.district or None, "lon": report.location.x,
            "lat": report.location.y, "url": report_url(report)}


# --- Staff work ---------------------------------------------------------------------


def can_handle(user: Any, report: Report | None = None) -> bool:
    """Clerks (scoped to a department code and/or a district) handle their reports,
    dispatchers every one (see misto/reports/permissions.py)."""
    return can(user, "reports.report.change", report)


def can_take_calls(user: Any) -> bool:
    return can(user, "reports.report.create")


def can_moderate(user: Any) -> bool:
    return can(user, "reports.report.moderate")


def handling_scope(user: Any) -> Q | None:
    """The reports ``user`` may handle as a filter; ``None`` means every report."""
    pairs = scope_filter(user, "reports.report.change")
    if pairs is None:
        return None
    scope = Q(pk__in=[])
    for department, district in pairs:
        part = Q()
        if department:
            part &= Q(department__code=department)
        if district:
            part &= Q(district=district)
        scope |= part
    return scope


def handling_departments(user: Any) -> list[Department]:
    """The departments whose reports ``user`` handles; empty for every department."""
    pairs = scope_filter(user, "reports.report.change")
    codes = {department for department, _district in pairs or ()}
    if pairs is None or "" in codes:
        return []
    return list(Department.objects.filter(code__in=codes))


def queue_for(user: Any, status: str = "open") -> QuerySet[Report]:
    """The reports a clerk works on: their scope's (every one for dispatchers), overdue
    first, then oldest."""
    rows = Report.objects.select_related("category", "department", "assignee")
    scope = handling_scope(user)
    if scope is not None:
        rows = rows.filter(scope)
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("due_at", "created_at")


def _require_handler(user: Any, report: Report) -> None:
    if not can_handle(user, report):
        raise ReportError(errors.FORBIDDEN, _(
            "Only the clerks of %(department)s handle this report."
        ) % {"department": report.department or _("its department")}, status=403)


def _status_event(report: Report, previous: str, note: str, now: datetime) -> None:
    followers = sorted(set(report.followers.values_list("user_id", flat=True))
                       - {report.author_id})
    publish(ReportStatusChanged(
        report_id=report.pk, public_id=report.public_id or "", category=report.category.code,
        category_title=report.category.title,
        department=report.department.code if report.department else None,
        district=report.district or None, lon=report.location.x, lat=report.location.y,
        status=report.status, previous_status=previous, note=note,
        author_user_id=report.author_id, follower_user_ids=followers,
        changed_at=now.isoformat(), url=report_url(report),
    ))


def change_status(report_id: int, user: Any, status: str, note: str = "",
                  photo: IO[bytes] | None = None) -> Report:
    """Move a report to ``status`` (a clerk's action), with a note and, when resolving,
    a photo of the fix. Publishes ``reports.ReportStatusChanged``."""
    note = (note or "").strip()
    if status not in Status.values or status == Status.DUPLICATE:
        raise ReportError(errors.BAD_TRANSITION, _("“%(status)s” is not a status a clerk can "
                                                   "set here.") % {"status": str(status)[:30]})
    if status in NOTE_REQUIRED and not note:
        raise ReportError(errors.NOTE_REQUIRED, str(NOTE_REQUIRED[status]), field="note")
    clean = clean_photo(photo, getattr(photo, "name", "")) if photo is not None else None
    with transaction.atomic():
        report = (Report.objects.select_for_update(of=("self",))
                  .select_related("category", "department")
                  .filter(pk=report_id).first())
        if report is None:
            raise ReportError(errors.NOT_FOUND, _("There is no such report."), status=404)
        _require_handler(user, report)
        previous = report.status
        if status not in TRANSITIONS.get(previous, set()):
            raise ReportError(errors.BAD_TRANSITION, _(
                "A report that is “%(old)s” cannot become “%(new)s”."
            ) % {"old": Status(previous).label, "new": Status(status).label})
        now = timezone.now()
        report.status = status
        report.status_note = note
        report.updated_at = now
        report.closed_at = now if status in CLOSED_STATUSES else None
        report.save(update_fields=["status", "status_note", "updated_at", "closed_at"])
        if clean is not None:
            _save_photo(report, clean, Photo.Kind.RESOLUTION)
        Change.objects.create(report=report, kind=Change.Kind.STATUS, status=status,
                              previous_status=previous, note=note, actor=user, at=now)
        _status_event(report, previous, note, now)
    return report


def assign(report_id: int, user: Any, assignee: Any | None) -> Report:
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("department").get(
            pk=report_id)
        _require_handler(user, report)
        if assignee is not None and not can_handle(assignee, report):
            raise ReportError(errors.FORBIDDEN, _(
                "%(name)s is not a clerk of %(department)s."
            ) % {"name": assignee.get_username(), "department": report.department}, status=400)
        report.assignee = assignee
        report.updated_at = timezone.now()
        report.save(update_fields=["assignee", "updated_at"])
        Change.objects.create(report=report, kind=Change.Kind.ASSIGNED, public=False,
                              note=assignee.get_username() if assignee else "", actor=user)
    return report


def mark_duplicate(report_id: int, user: Any, original_public_id: str) -> Report:
    """Close a report as a duplicate of another; its author follows the original."""
    original = get_report(original_public_id)
    with transaction.atomic():
        report = (Report.objects.select_for_update(of=("self",))
                  .select_related("category", "department")
                  .get(pk=report_id))
        _require_handler(user, report)
        if original.pk == report.pk or original.duplicate_of_id == report.pk:
            raise ReportError(errors.BAD_TRANSITION, _(
                "A report cannot be a duplicate of itself."))
        if report.status in CLOSED_STATUSES:
            raise ReportError(errors.BAD_TRANSITION, _("The report is already closed."))
        previous, now = report.status, timezone.now()
        report.status, report.duplicate_of = Status.DUPLICATE, original
        report.status_note = _("Duplicate of %(id)s") % {"id": original.public_id}
        report.updated_at = report.closed_at = now
        report.save(update_fields=["status", "duplicate_of", "status_note", "updated_at",
                                   "closed_at"])
        if report.author_id:
            Follower.objects.get_or_create(report=original, user_id=report.author_id)
        Change.objects.create(report=report, kind=Change.Kind.DUPLICATE,
                              status=Status.DUPLICATE, previous_status=previous,
                              note=report.status_note, actor=user, at=now)
        _status_event(report, previous, report.status_note, now)
    return report


def moderate(report_id: int, user: Any, *, public_description: str | None = None,
             hidden: bool | None = None, hide_photo_ids: Iterable[int] = ()) -> Report:
    """Hide personal data or abuse from the public; the original text stays for staff."""
    if not can_moderate(user):
        raise ReportError(errors.FORBIDDEN, _("Only moderators can do this."), status=403)
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).get(pk=report_id)
        notes = []
        if public_description is not None and public_description != report.public_description:
            report.public_description = public_description.strip()
            notes.append(_("public text edited"))
        if hidden is not None and hidden != report.hidden:
            report.hidden = hidden
            notes.append(_("hidden") if hidden else _("shown again"))
        photo_count = Photo.objects.filter(report=report, pk__in=list(hide_photo_ids)).update(
            hidden=True)
        if photo_count:
            notes.append(_("%(n)d photo(s) hidden") % {"n": photo_count})
        report.save(update_fields=["public_description", "hidden"])
        if notes:
            Change.objects.create(report=report, kind=Change.Kind.MODERATED, public=False,
                                  note=", ".join(str(n) for n in notes), actor=user)
    return report


def follow(report: Report, user: Any, on: bool = True) -> None:
    if not user.is_authenticated:
        raise ReportError(errors.FORBIDDEN, _("Sign in to follow a report."), status=403)
    if on:
        Follower.objects.get_or_create(report=report, user=user)
    else:
        Follower.objects.filter(report=report, user=user).delete()


# --- Following without an account ---------------------------------------------------------
# An anonymous reporter leaves an e-mail address or a phone; a code sent there confirms it
# (residents' one-time codes), and the report gets a follower: the account of that address,
# the same one a later code sign-in with it finds, so the report is theirs in the cabinet.
# Updates reach it through the follower notices (notifications), at that address only.


@dataclass(frozen=True)
class UpdatesContact:
    channel: str  # "email" or "sms"
    address: str  # normalised


def check_updates_contact(text: str) -> UpdatesContact | None:
    """The e-mail address or phone given for updates (None when left empty), or ReportError."""
    text = (text or "").strip()
    if not text:
        return None
    channel = "email" if "@" in text else "sms"
    try:
        return UpdatesContact(channel, codes.check_address(channel, text))
    except codes.CodeError as error:
        raise ReportError(errors.BAD_CONTACT, error.message, field="updates_contact") from None


def ask_to_follow(contact: UpdatesContact, client: str) -> str:
    """Send the code confirming ``contact``; its token (the confirmation form's handle)."""
    try:
        row = codes.request_code(contact.channel, contact.address, client, for_updates=True)
    except codes.CodeError as error:
        raise ReportError(errors.BAD_CONTACT, error.message, status=error.status,
                          field="updates_contact") from None
    return str(row.token)


def confirm_follow(report: Report, token: str, code: str) -> None:
    """The code's contact follows ``report``; ReportError for a wrong, used or expired code."""
    try:
        account = codes.confirm_contact(token, code)
    except codes.CodeError as error:
        raise ReportError(errors.BAD_CODE, error.message, status=error.status,
                          field="code") from None
    if account is None:
        raise ReportError(errors.BAD_CODE, _("The code does not match. Check it and try again."),
                          field="code")
    follow(report, account)


def escalate_overdue(now: datetime | None = None) -> int:
    """Mark open reports past their target time as escalated (once) and publish
    ``reports.ReportOverdue``; returns how many were escalated."""
    now = now or timezone.now()
    ids = list(Report.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now,
                                     escalated_at__isnull=True)
               .values_list("pk", flat=True)[:1000])
    count = 0
    for report_id in ids:
        with transaction.atomic():
            report = (Report.objects.select_for_update(of=("self",)).select_related("category",
                                                                          "department")
                      .filter(pk=report_id, escalated_at__isnull=True).first())
            if report is None:
                continue
            report.escalated_at = now
            report.save(update_fields=["escalated_at"])
            Change.objects.create(report=report, kind=Change.Kind.ESCALATED, public=False,
                                  note=_("Target time passed: %(due)s")
                                  % {"due": report.due_at.isoformat() if report.due_at
                                     else ""}, at=now)
            publish(ReportOverdue(
                report_id=report.pk, public_id=report.public_id or "",
                category=report.category.code,
                department=report.department.code if report.department else None,
                district=report.district or None, status=report.status,
                due_at=report.due_at.isoformat() if report.due_at else "",
                url=report_url(report)))
            count += 1
    return count


def resolve_from_incident(ids: Iterable[Any], note: str) -> int:
    """Resolve the open reports a resolved situational-centre incident came from."""
    count = 0
    for ref in ids:
        query = Q(public_id=str(ref))
        if str(ref).isdigit():
            query |= Q(pk=int(ref))
        report = Report.objects.select_for_update(of=("self",)).select_related(
            "category", "department").filter(query, status__in=OPEN_STATUSES).first()
        if report is None:
            continue
        previous, now = report.status, timezone.now()
        text = note or _("Resolved together with the incident.")
        report.status, report.status_note = Status.RESOLVED, text
        report.updated_at = report.closed_at = now
        report.save(update_fields=["status", "status_note", "updated_at", "closed_at"])
        Change.objects.create(report=report, kind=Change.Kind.STATUS, status=Status.RESOLVED,
                              previous_status=previous, note=text, at=now)
        _status_event(report, previous, text, now)
        count += 1
    return count


# --- API keys -----------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(name: str) -> tuple[ApiKey, str]:
    """A new Open311 key for an app; the key itself is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ReportError(errors.BAD_REQUEST, _("Name the application the key is for."))
    key = secrets.token_urlsafe(32)
    row = ApiKey.objects.create(name=name[:200], key_hash=_hash_key(key), prefix=key[:8])
    return row, key


def check_api_key(key: str | None) -> ApiKey:
    if not key:
        raise ReportError(errors.MISSING_KEY, _(
            "api_key is required to post a request; ask the city for a key."), status=403)
    row = ApiKey.objects.filter(key_hash=_hash_key(key.strip()), active=True).first()
    if row is None:
        raise ReportError(errors.BAD_KEY, _("The api_key is not valid."), status=403)
    ApiKey.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row
