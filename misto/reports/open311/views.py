"""Open311 GeoReport v2 endpoints: thin views over ``misto.reports.services``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from misto.core import ratelimit
from misto.core.config import env_str
from misto.core.errors import MistoError
from misto.reports import services
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import CLOSED_STATUSES, OPEN_STATUSES, Category, Channel, Report
from misto.reports.open311.formats import FORMATS, error_response, render

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24T00:00:00Z"  # when this endpoint's interface last changed
MAX_REQUESTS = 1000
DEFAULT_SPAN = timedelta(days=90)
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")

View = Callable[..., HttpResponse]


def jurisdiction() -> str:
    return env_str("MISTO_OPEN311_JURISDICTION") or "misto"


def open311_view(func: View) -> View:
    """Check the format and the jurisdiction; answer any refusal (:class:`MistoError`: the
    module's errors, a rate limit) in the spec's error format. The one place Open311 turns
    errors into answers, as ``misto/api.py`` is for the JSON API."""

    @wraps(func)
    def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return error_response(ReportError(ReportsCode.NOT_FOUND, _(
                "Unknown format “%(fmt)s”: use .json or .xml.") % {"fmt": fmt[:10]},
                status=404), "json")
        given = (request.POST.get("jurisdiction_id") if request.method == "POST" else
                 request.GET.get("jurisdiction_id"))
        if given and given != jurisdiction():
            return error_response(ReportError(ReportsCode.NOT_FOUND, _(
                "Unknown jurisdiction_id “%(given)s”; this endpoint serves “%(ours)s”."
            ) % {"given": given[:60], "ours": jurisdiction()}, status=404), fmt)
        try:
            return func(request, fmt, **kwargs)
        except MistoError as error:
            return error_response(error, fmt)

    return wrapper


def _base(request: HttpRequest) -> str:
    path = reverse("open311:discovery", kwargs={"fmt": "json"}).rsplit("discovery", 1)[0]
    return request.build_absolute_uri(path)


@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    contact = env_str("MISTO_OPEN311_CONTACT") or env_str("DEFAULT_FROM_EMAIL")
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": f"API keys for posting are issued by the city ({contact}): staff run "
                       "`misto open311 create-key <application>`.",
        "endpoints": [{
            "specification": SPEC, "url": _base(request).rstrip("/"), "changeset": CHANGESET,
            "type": "production", "formats": ["text/xml", "application/json"],
        }],
    }
    return render(data, fmt, "discovery")


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": services.category_title(category),
        "description": category.description,
        "metadata": category.attributes.filter(variable=True).exists(),
        "type": "realtime",
        "keywords": category.keywords,
        "group": services.category_title(category.parent) if category.parent else "",
    }


@open311_view
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render([_service(c) for c in services.leaf_categories()], fmt, "services")


@open311_view
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = services.access_category(code)
    attributes = []
    for attribute in category.attributes.all():
        item: dict[str, Any] = {
            "variable": attribute.variable, "code": attribute.code,
            "datatype": attribute.datatype, "required": attribute.required,
            "datatype_description": attribute.datatype_description,
            "order": attribute.order,
            "description": services.localized(attribute.description, attribute.description_en),
        }
        if attribute.values:
            item["values"] = [{"key": v.get("key"),
                               "name": services.localized(str(v.get("name", "")),
                                                          str(v.get("name_en", "")))}
                              for v in attribute.values]
        attributes.append(item)
    return render({"service_code": category.code, "attributes": attributes}, fmt,
                  "service_definition")


def _request_item(request: HttpRequest, report: Report) -> dict[str, Any]:
    photo = next((p for p in report.photos.all() if not p.hidden), None)
    media = request.build_absolute_uri(photo.get_absolute_url()) if photo else report.media_url
    return {
        "service_request_id": report.public_id,
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": report.status_note,
        "service_name": services.category_title(report.category),
        "service_code": report.category.code,
        "description": report.shown_description,
        "agency_responsible": report.department.name if report.department else "",
        "service_notice": "",
        "requested_datetime": report.created_at,
        "updated_datetime": report.updated_at,
        "expected_datetime": report.due_at,
        "address": report.address,
        "address_id": report.landmark,
        "zipcode": "",
        "lat": report.location.y,
        "long": report.location.x,
        "media_url": media,
    }


def _when(request: HttpRequest, name: str) -> datetime | None:
    value = request.GET.get(name)
    if not value:
        return None
    parsed = parse_datetime(value.strip().replace(" ", "+"))
    if parsed is None or timezone.is_naive(parsed):
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "%(name)s must be a w3 date-time with a time zone, e.g. 2026-01-01T00:00:00Z "
            "(got “%(value)s”).") % {"name": name, "value": value[:40]})
    return parsed


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _search(request: HttpRequest) -> QuerySet[Report]:
    rows = Report.objects.filter(hidden=False).select_related("category", "department")
    ids = _list(request.GET.get("service_request_id"))
    if ids:  # overrides every other filter (the spec)
        return rows.filter(public_id__in=ids[:MAX_REQUESTS])
    codes = _list(request.GET.get("service_code"))
    if codes:
        rows = rows.filter(category__code__in=codes)
    statuses = _list(request.GET.get("status"))
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "status must be open or closed (comma-separated), got “%(value)s”."
        ) % {"value": wrong[0][:20]})
    if statuses == ["open"]:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif statuses == ["closed"]:
        rows = rows.filter(status__in=CLOSED_STATUSES)
    start, end = _when(request, "start_date"), _when(request, "end_date")
    if start and end and start > end:
        raise ReportError(ReportsCode.BAD_REQUEST, _("start_date is after end_date."))
    if start and end and end - start > DEFAULT_SPAN:
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "start_date and end_date may not span more than 90 days."))
    if not start and not end:
        end = timezone.now()
    if end and not start:
        start = end - DEFAULT_SPAN
    if start and not end:
        end = start + DEFAULT_SPAN
    return rows.filter(created_at__gte=start, created_at__lte=end)


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        size = int(request.GET.get("page_size") or MAX_REQUESTS)
        page = int(request.GET.get("page") or 1)
    except ValueError as error:
        raise ReportError(ReportsCode.BAD_REQUEST, _("page and page_size must be whole numbers.")
                          ) from error
    if not 1 <= size <= MAX_REQUESTS or page < 1:
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "page_size must be 1..%(max)d and page at least 1.") % {"max": MAX_REQUESTS})
    return page, size


@csrf_exempt
@open311_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    if request.method not in ("GET", "HEAD"):
        raise ReportError(ReportsCode.BAD_REQUEST, _("Use GET or POST."), status=400)
    page, size = _page(request)
    rows = _search(request).prefetch_related("photos").order_by("-created_at", "-pk")
    items = [_request_item(request, r) for r in rows[(page - 1) * size: page * size]]
    return render(items, fmt, "service_requests")


def _attributes(request: HttpRequest) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for key in request.POST:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            values = request.POST.getlist(key)
            answers[match.group(1)] = values if match.group(2) or len(values) > 1 else values[0]
    return answers


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    """Create a request. Limited per client address (before the key is even checked, so
    guessing keys is slow too) and per key; an ``Idempotency-Key`` header makes a retry
    return the first answer."""
    post = request.POST
    ratelimit.check("open311.client", ratelimit.client_address(request))
    key = services.check_api_key(post.get("api_key"))
    ratelimit.check("open311.key", f"key:{key.pk}")
    code = (post.get("service_code") or "").strip()
    if not code:
        raise ReportError(ReportsCode.UNKNOWN_CATEGORY, _("service_code is required."))
    has_point = post.get("lat") not in (None, "") and post.get("long") not in (None, "")
    if not (has_point or post.get("address_string") or post.get("address_id")):
        raise ReportError(ReportsCode.NO_LOCATION, _(
            "A location is required: lat and long, address_string or address_id."))
    name = " ".join(part for part in (post.get("first_name", ""), post.get("last_name", ""))
                    if part).strip()
    report = services.submit(services.Submission(
        category=code, description=post.get("description", ""),
        lon=post.get("long") if has_point else None, lat=post.get("lat") if has_point else None,
        landmark=post.get("address_id", "") if not has_point else "",
        address=post.get("address_string", ""),
        attributes=_attributes(request), photos=request.FILES.getlist("media"),
        channel=Channel.OPEN311, contact_name=name, contact_phone=post.get("phone", ""),
        contact_email=post.get("email", ""), api_key=key,
        media_url=post.get("media_url", "") if post.get("media_url", "").startswith(
            ("http://", "https://")) else "",
        require_description=False,
        idempotency_key=services.check_idempotency_key(request.headers.get("Idempotency-Key")),
    ))
    item = {"service_request_id": report.public_id, "token": str(report.token),
            "service_notice": _("Expected to be resolved by %(due)s.")
            % {"due": report.due_at.isoformat() if report.due_at else ""},
            "account_id": post.get("account_id", "")}
    return render([item], fmt, "service_requests")


@open311_view
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    report = (Report.objects.filter(Q(public_id=request_id[:20]), hidden=False)
              .select_related("category", "department").prefetch_related("photos").first())
    if report is None:
        raise ReportError(ReportsCode.NOT_FOUND, _("There is no service request “%(id)s”.")
                          % {"id": request_id[:20]}, status=404)
    return render([_request_item(request, report)], fmt, "service_requests")


@open311_view
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    report = Report.objects.filter(token=value).first() if value else None
    if report is None:
        raise ReportError(ReportsCode.NOT_FOUND, _("There is no token “%(token)s”.")
                          % {"token": token[:40]}, status=404)
    return render([{"service_request_id": report.public_id, "token": str(report.token)}],
                  fmt, "service_requests")
