"""Pages and feeds of the notifications module. Thin: every view calls ``services``."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from misto.core.errors import MistoError
from misto.core.registry import CabinetPanel, PanelOrder
from misto.notifications import conf, emergencies, services
from misto.notifications.channels import render as render_message
from misto.notifications.errors import NotificationsCode
from misto.notifications.forms import (
    ComposeForm,
    HomeForm,
    NoticesForm,
    PreferencesForm,
    SubscriptionsForm,
)
from misto.notifications.models import Announcement, ChannelAddress, Kind, Status, Target


def _map_config() -> dict[str, Any]:
    return {
        "tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt",
        "outages": reverse("notifications:outages_geojson"),
        "text": {"from": _("From"), "until": _("until"), "buildings": _("buildings")},
    }


def index(request: HttpRequest) -> HttpResponse:
    """Current outages and announcements, optionally of one district (each names the
    districts it reaches), and "is my building affected?" for a typed address or landmark."""
    language = get_language()
    form = NoticesForm(request.GET or None, language=language)
    district, place = "", None
    if form.is_valid():
        district = form.cleaned_data["district"]
        if form.cleaned_data["place"]:
            try:
                place = services.find_place(form.cleaned_data["place"])
            except services.NotificationError as exc:
                form.add_error("place", exc.message)
    names = services.district_codes(language)
    rows = list(services.current())
    outages = [r for r in rows if r.kind == Kind.OUTAGE]
    shown = [(r, _reach(r, names)) for r in rows
             if not district or r.target == Target.CITY or district in r.districts]
    config = _map_config()
    if district:
        config["district"] = district
    if place is not None:
        config["place"] = {"lon": place.lon, "lat": place.lat, "label": place.label}
    return render(request, "notifications/index.html", {
        "form": form, "district": district, "place": place,
        "place_district": names.get(place.district, "") if place else "",
        # The outages that do affect the place first: the answer a resident came for.
        "verdicts": sorted(((v, _reach(v.announcement, names))
                            for v in services.verdicts(place, outages)),
                           key=lambda pair: not pair[0].affected) if place else [],
        "outages": [(r, where) for r, where in shown if r.kind == Kind.OUTAGE],
        "announcements": [(r, where) for r, where in shown if r.kind != Kind.OUTAGE],
        "language": language, "config": config,
    })


def _reach(row: Announcement, names: dict[str, str]) -> str:
    """Where an announcement reaches, in words: the whole city or its districts' names."""
    if row.target == Target.CITY:
        return _("The whole city")
    return ", ".join(names.get(code, code) for code in row.districts)


def detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    try:
        row = services.access_announcement(request.user, announcement_id)
    except services.NotificationError as exc:
        raise Http404(exc.message) from exc
    buildings = list(row.buildings.order_by("label").values_list("label", flat=True)[:500])
    told = emergencies.notice_of(row)
    return render(request, "notifications/detail.html", {
        "a": row, "title": row.title(), "body": row.body(), "buildings": buildings,
        "area": json.loads(row.area.geojson) if row.area else None, "config": _map_config(),
        "can_manage": services.may(request.user, "change"),
        "emergency_url": emergencies.page_url(told.emergency_id) if told else None,
    })


def _coordinate(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def emergency(request: HttpRequest, emergency_id: int) -> HttpResponse:
    """The public page of an emergency: the area on the map, the nearest shelters and what
    to do (while it lasts, every page's banner links here)."""
    try:
        notice = emergencies.public_notice(emergency_id)
    except services.NotificationError as exc:
        raise Http404(exc.message) from exc
    area = emergencies.area_of(notice)
    shelters = emergencies.nearest_shelters(area)
    query = (request.GET.get("q") or "").strip()[:100]
    lon, lat = _coordinate(request.GET.get("lon")), _coordinate(request.GET.get("lat"))
    walk_from, walk_error = "", ""
    walks: list[emergencies.Walk] = []
    if query or (lon is not None and lat is not None):
        try:
            walk_from, walks = emergencies.walks_from(query, lon, lat)
        except MistoError as exc:
            walk_error = exc.message
        else:
            if not walks:
                walk_error = _("No open shelter can be reached on foot from there. Go to the "
                               "nearest basement or an inner corridor, away from windows.")
    labels = {"open": pgettext("shelter", "open"), "closed": pgettext("shelter", "closed"),
              "unknown": _("status unknown")}
    return render(request, "notifications/emergency.html", {
        "query": query, "walk_from": walk_from, "walks": walks, "walk_error": walk_error,
        "walk_map": reverse("twin:shelters") + "?" + urlencode(
            {"q": query} if query else {"lon": lon, "lat": lat}),
        "status_labels": labels,
        "walk_routes": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": walk.route, "properties": {"best": i == 0}}
            for i, walk in enumerate(walks)]},
        "notice": notice, "title": emergencies.emergency_title(notice),
        "instructions": emergencies.instructions(notice.kind), "shelters": shelters,
        "district_names": [name for code, name in services.district_codes().items()
                           if code in notice.districts],
        "area": json.loads(area.geojson) if area is not None else None,
        "shelter_points": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": shelter.name},
             "geometry": {"type": "Point", "coordinates": [shelter.lon, shelter.lat]}}
            for shelter in shelters]},
        "config": _map_config(),
    })


def feed_json(request: HttpRequest) -> JsonResponse:
    language = get_language()
    return JsonResponse(
        {"announcements": [services.announcement_dict(r, language) for r in services.current()]},
        json_dumps_params={"ensure_ascii": False})


def feed_atom(request: HttpRequest) -> HttpResponse:
    base = conf.public_url()
    feed = Atom1Feed(
        title=str(gettext_lazy("Announcements and outages")),
        link=base + reverse("notifications:index"),
        description=str(gettext_lazy("Current announcements and planned outages")),
        language=get_language(), feed_url=base + reverse("notifications:feed_atom"),
    )
    for row in services.current()[:200]:
        feed.add_item(
            title=row.title(), link=f"{base}/notices/{row.pk}/", description=row.body(),
            unique_id=f"{base}/notices/{row.pk}/", pubdate=row.published_at or row.publish_at,
            updateddate=row.published_at or row.publish_at,
            categories=[t.code for t in row.topics.all()],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def outages_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.outages_geojson(language=get_language()),
                        content_type="application/geo+json",
                        json_dumps_params={"ensure_ascii": False})


# --- Staff ------------------------------------------------------------------------------


def compose(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.may(request.user, "create"):
        raise PermissionDenied
    form = ComposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.compose(request.user, form.draft())
        except services.NotificationError as exc:
            form.add_error(None, exc.message)
        else:
            if row.status == Status.PENDING:
                messages.info(request, _("Saved. A city-wide message goes out after a second "
                                         "member of staff approves it."))
            else:
                messages.success(request, _("The announcement is %(status)s.")
                                 % {"status": row.get_status_display()})
            return redirect("notifications:detail", announcement_id=row.pk)
    pending = Announcement.objects.filter(status=Status.PENDING).order_by("publish_at")
    return render(request, "notifications/compose.html", {
        "form": form, "pending": pending, "config": _map_config(),
        "status": 400 if request.method == "POST" else 200,
    }, status=400 if request.method == "POST" else 200)


def _refuse_forbidden(exc: services.NotificationError) -> None:
    """A refused permission is a 403 page and a missing (or hidden) announcement a 404 page,
    as the API answers, not a redirect with a message."""
    if exc.code == NotificationsCode.FORBIDDEN:
        raise PermissionDenied(exc.message)
    if exc.code == NotificationsCode.NOT_FOUND:
        raise Http404(exc.message)


@require_POST
def approve(request: HttpRequest, announcement_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise PermissionDenied
    try:
        services.approve(request.user, announcement_id)
    except services.NotificationError as exc:
        _refuse_forbidden(exc)
        messages.error(request, exc.message)
        return redirect("notifications:compose")
    messages.success(request, _("Approved."))
    return redirect("notifications:detail", announcement_id=announcement_id)


@require_POST
def withdraw(request: HttpRequest, announcement_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise PermissionDenied
    try:
        services.withdraw(request.user, announcement_id)
    except services.NotificationError as exc:
        _refuse_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("notifications:index")


# --- Residents --------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_read(request.user)
        return redirect("notifications:inbox")
    language = get_language()
    rows = services.inbox(request.user).prefetch_related("announcement__topics")[:100]
    items = [(m, render_message(m, language)) for m in rows]
    return render(request, "notifications/inbox.html", {
        "items": items, "unread": services.unread_count(request.user)})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = services.profile_for(user)
    if profile.home_building_id is None and not profile.home_label:
        found = services.registered_home(user)
        if found is not None:
            profile = services.set_home(user, found)
    subs = list(services.subscriptions_of(user))
    addresses = {a.channel: a.address
                 for a in ChannelAddress.objects.filter(user_id=int(user.pk or 0))}
    home_form = HomeForm(prefix="home", initial={"address": profile.home_label})
    subs_form = SubscriptionsForm(prefix="subs", initial={
        "topics": sorted({s.topic.code for s in subs if s.area is None}),
        "districts": sorted({s.district for s in subs if s.district}),
        "city_wide": any(not s.district and s.area is None for s in subs),
    })
    prefs_form = PreferencesForm(prefix="prefs", initial={
        **{name: getattr(profile, name) for name in services.PROFILE_FLAGS},
        "quiet_start": profile.quiet_start, "quiet_end": profile.quiet_end,
        "language": profile.language, "phone": addresses.get("sms", ""),
        "telegram": addresses.get("telegram", ""), "viber": addresses.get("viber", ""),
    })
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "home":
                home_form = HomeForm(request.POST, prefix="home")
                if home_form.is_valid():
                    home = services.resolve_home(home_form.cleaned_data["address"])
                    services.set_home(user, home)
                    messages.success(request, _("Home saved: %(label)s") % {"label": home.label})
                    return redirect("notifications:settings")
            elif action == "subscriptions":
                subs_form = SubscriptionsForm(request.POST, prefix="subs")
                if subs_form.is_valid():
                    data = subs_form.cleaned_data
                    services.set_subscriptions(user, data["topics"], data["districts"],
                                               city_wide=data["city_wide"])
                    messages.success(request, _("Subscriptions saved."))
                    return redirect("notifications:settings")
            elif action == "preferences":
                prefs_form = PreferencesForm(request.POST, prefix="prefs")
                if prefs_form.is_valid():
                    data = dict(prefs_form.cleaned_data)
                    addresses_in = {"sms": data.pop("phone"), "telegram": data.pop("telegram"),
                                    "viber": data.pop("viber")}
                    services.update_preferences(user, addresses=addresses_in, **data)
                    messages.success(request, _("Settings saved."))
                    return redirect("notifications:settings")
            elif action == "remove":
                services.remove_subscription(user, int(request.POST.get("id", "0") or 0))
                return redirect("notifications:settings")
        except services.NotificationError as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, _("Bad request."))
        status = 400
    return render(request, "notifications/settings.html", {
        "profile": profile, "subs": subs, "home_form": home_form, "subs_form": subs_form,
        "prefs_form": prefs_form, "districts": services.district_codes(),
    }, status=status)


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation; POST applies it (RFC 8058 one-click from mail clients)."""
    try:
        found = services.read_unsubscribe_token(token)
    except services.NotificationError as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc.message},
                      status=400)
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "notifications/unsubscribe.html", {"done": True, "u": found})
    return render(request, "notifications/unsubscribe.html", {"u": found, "token": token})


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    if not request.user.is_authenticated:
        return None
    language = get_language()
    latest = [(m, render_message(m, language))
              for m in services.inbox(request.user).prefetch_related("announcement__topics")[:5]]
    return CabinetPanel(
        title=gettext_lazy("Inbox"), template="notifications/panel.html",
        context={"latest": latest, "unread": services.unread_count(request.user),
                 "now": timezone.now()},
        url_name="notifications:inbox", order=PanelOrder.INBOX, key="notifications-inbox",
    )
