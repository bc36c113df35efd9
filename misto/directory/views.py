"""Directory pages: thin, they call ``services`` and render.

Residents: search by need, name or address with a map, a place's card (open now, one-tap
call, e-mail, website, route) and "report wrong information". Staff of the maintaining
department: the corrections queue and the entry's editor (hours, closures, contacts).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from misto.core.http import see_other
from misto.core.permissions import can
from misto.core.ratelimit import ratelimit
from misto.directory import services
from misto.directory.api.convert import eservice_out, href, partner_out, pick, place_detail
from misto.directory.errors import DirectoryError
from misto.directory.models import ContactKind, OrgKind, Unit

EDIT = "directory.entry.edit"
VIEW = "directory.correction.view"
LANGUAGE_NAMES = {"uk", "en", "de", "fr", "pl", "ru", "es", "it"}
EXAMPLES = ("довідка", "паспорт", "садочок", "ЦНАП", "лікар")


def _unit(request: HttpRequest, slug: str, action: str | None = None) -> Unit:
    try:
        return services.access_unit(request.user, slug, action)
    except DirectoryError as error:
        raise Http404(error.message) from None


def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    open_now = request.GET.get("open_now") == "1"
    found = services.search(query, kind=kind, open_now=open_now)
    matching = list(services.search_services(query)[:5]) if query else []
    points = [{"slug": u.slug, "name": pick(u.name_uk, u.name_en), "lon": u.lon, "lat": u.lat,
               "open": s.is_open, "status": s.text,
               "url": reverse("directory:place", args=[u.slug])} for u, s in found]
    return render(request, "directory/index.html", {
        "query": query, "kind": kind, "open_now": open_now, "kinds": OrgKind.choices,
        "results": [(u, pick(u.name_uk, u.name_en), pick(u.organisation.name_uk,
                                                         u.organisation.name_en), s)
                    for u, s in found],
        "eservices": [eservice_out(s) for s in matching], "examples": EXAMPLES,
        "map_config": {"tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt", "points": points}})


def place(request: HttpRequest, slug: str) -> HttpResponse:
    unit = _unit(request, slug)
    detail = place_detail(unit)
    order = list(ContactKind.values)  # phone first: the one tap most people need
    contacts = [{"kind": c.kind, "label": c.label,
                 "shown": services.phone_display(c.value) if c.kind == ContactKind.PHONE
                 else c.value, "href": href(c.kind, c.value)}
                for c in sorted(unit.contacts.all(), key=lambda c: order.index(c.kind))]
    languages = [str(get_language_info(code)["name_translated"]) if code in LANGUAGE_NAMES
                 else code for code in unit.languages]
    return render(request, "directory/place.html", {
        "unit": unit, "detail": detail, "contacts": contacts, "languages": languages,
        "organisation": pick(unit.organisation.name_uk, unit.organisation.name_en),
        "eservices": [eservice_out(s) for s in unit.services.all()],
        "today": timezone.localdate(), "may_edit": can(request.user, EDIT, unit),
        "map_config": {"tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt",
                       "points": [{"slug": unit.slug, "name": detail.name, "lon": unit.lon,
                                   "lat": unit.lat, "open": detail.status.state == "open",
                                   "status": detail.status.text, "url": ""}]}})


@require_POST
@ratelimit("directory.correction")
def report(request: HttpRequest, slug: str) -> HttpResponse:
    unit = _unit(request, slug)
    try:
        services.send(unit, request.POST.get("text", ""), user=request.user)
    except DirectoryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the office that keeps this entry will check "
                                    "it."))
    return see_other(reverse("directory:place", args=[unit.slug]))


def eservices(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    rows = services.search_services(query)
    names = {u.slug: pick(u.name_uk, u.name_en) for u in services.units()}
    return render(request, "directory/services.html", {
        "query": query, "examples": EXAMPLES,
        "services": [(s, [(slug, names[slug]) for slug in s.places if slug in names])
                     for s in (eservice_out(row) for row in rows)]})


def partners(request: HttpRequest) -> HttpResponse:
    rows = services.partners().prefetch_related("units__contacts")
    return render(request, "directory/partners.html", {
        "partners": [{**partner_out(org).dict(), "role_label": org.get_partner_role_display()}
                     for org in rows]})


@login_required
def corrections(request: HttpRequest) -> HttpResponse:
    if not can(request.user, VIEW):
        raise PermissionDenied(VIEW)
    return render(request, "directory/corrections.html", {
        "corrections": services.queue_for(request.user)[:200],
        "may_edit": can(request.user, EDIT)})


@require_POST
@login_required
def resolve(request: HttpRequest, correction_id: int) -> HttpResponse:
    if not can(request.user, EDIT):
        raise PermissionDenied(EDIT)
    try:
        correction = services.access_correction(request.user, correction_id, EDIT)
        services.resolve(request.user, correction, fixed=request.POST.get("fixed") == "1",
                         note=request.POST.get("note", ""))
    except DirectoryError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        messages.error(request, error.message)
    return see_other(reverse("directory:corrections"))


@login_required
def staff_places(request: HttpRequest) -> HttpResponse:
    if not can(request.user, EDIT):
        raise PermissionDenied(EDIT)
    return render(request, "directory/staff_places.html",
                  {"units": services.editable_units(request.user)[:500]})


def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A unit's photo, for whoever may see the unit (metadata were stripped on the way in)."""
    try:
        row = services.access_photo(request.user, photo_id)
    except DirectoryError as error:
        raise Http404(error.message) from None
    response = FileResponse(row.image.open("rb"))
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _edit_step(unit: Unit, post: Any, files: Any = None) -> str:
    step = post.get("step", "")
    if step == "photo":
        services.add_photo(unit, services.check_photo(
            (files or {}).get("photo"), post.get("caption_uk", ""), post.get("caption_en", "")))
        return _("The photo is added.")
    if step == "remove_photo":
        photo_id = post.get("photo", "")
        if not photo_id.isdigit():
            return _("Nothing to do.")
        services.remove_photo(unit, int(photo_id))
        return _("The photo is removed.")
    if step == "hours":
        services.set_hours(unit, post.get("hours", ""),
                           closed_on_days_off=post.get("closed_on_days_off") == "1")
        return _("The hours are saved.")
    if step == "closure":
        try:
            start, end = date.fromisoformat(post.get("start", "")), date.fromisoformat(
                post.get("end", ""))
        except ValueError:
            return _("Dates are YYYY-MM-DD.")
        services.add_closure(unit, services.check_closure(start, end, post.get("reason_uk", ""),
                                                          post.get("reason_en", "")))
        return _("The closure is saved.")
    if step == "remove_closure":
        closure = post.get("closure", "")
        if not closure.isdigit():
            return _("Nothing to do.")
        services.remove_closure(unit, int(closure))
        return _("The closure is removed.")
    if step == "contacts":
        rows = [(kind, value, label) for kind, value, label in zip(
            post.getlist("kind"), post.getlist("value"), post.getlist("label"), strict=False)
            if value.strip()]
        services.set_contacts(unit, rows)
        return _("The contacts are saved.")
    return _("Nothing to do.")


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    if not can(request.user, EDIT):
        raise PermissionDenied(EDIT)
    unit = _unit(request, slug, EDIT)
    values = {"hours": unit.hours}
    if request.method == "POST":
        try:
            messages.success(request, _edit_step(unit, request.POST, request.FILES))
            return see_other(reverse("directory:edit", args=[unit.slug]))
        except DirectoryError as error:
            messages.error(request, error.message)
            values["hours"] = request.POST.get("hours", unit.hours)
    return render(request, "directory/edit.html", {
        "unit": unit, "values": values, "contact_kinds": ContactKind.choices,
        "contacts": list(unit.contacts.all()), "closures": list(unit.closures.all()),
        "photos": list(unit.photos.all()), "max_photos": services.MAX_PHOTOS,
        "detail": place_detail(unit)})


KEYS = "directory.apiclient.manage"


@login_required
def staff_partners(request: HttpRequest) -> HttpResponse:
    """Partners' API keys: issue one (shown on this answer only, never again) or revoke."""
    if not can(request.user, KEYS):
        raise PermissionDenied(KEYS)
    issued: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("step") == "revoke":
                client_id = request.POST.get("client", "")
                if client_id.isdigit():
                    services.clients.revoke(services.clients.access_client(request.user,
                                                                           int(client_id)))
                    messages.success(request, _("The key is revoked."))
                return see_other(reverse("directory:staff-partners"))
            partner = services.clients.access_partner(request.user,
                                                      request.POST.get("partner", "")[:80])
            row, key = services.clients.issue(partner, request.POST.get("name", ""),
                                              request.user)
            issued = {"name": row.name, "partner": pick(partner.name_uk, partner.name_en),
                      "key": key}
        except DirectoryError as error:
            if error.status == 404:
                raise Http404(error.message) from None
            messages.error(request, error.message)
            status = 400
    response = render(request, "directory/staff_partners.html", {
        "partners": services.clients.managed_partners(request.user), "issued": issued},
        status=status)
    response["Cache-Control"] = "no-store"  # the page may hold a key
    return response
