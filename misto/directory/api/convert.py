"""Models to API shapes, in the request's language."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from misto.core.registry import registered_apps
from misto.directory import services
from misto.directory.api.schemas import (
    ApplicationOut,
    ClosureOut,
    ContactOut,
    DayOut,
    EServiceOut,
    PartnerOut,
    PhotoOut,
    PlaceDetailOut,
    PlaceOut,
    StatusOut,
)
from misto.directory.models import ContactKind, EService, Organisation, Unit
from misto.directory.services.hours import OpenStatus


def en() -> bool:
    return (get_language() or "uk").startswith("en")


def pick(uk: str, english: str) -> str:
    return english if en() and english else uk


def href(kind: str, value: str) -> str:
    if kind == ContactKind.PHONE:
        return f"tel:{value}"
    if kind == ContactKind.EMAIL:
        return f"mailto:{value}"
    return value


def status_out(state: OpenStatus) -> StatusOut:
    return StatusOut(state=str(state.state), text=state.text, closes_at=state.closes_at,
                     opens_at=state.opens_at,
                     closed_today_reason=state.closed_today.reason if state.closed_today
                     else None)


def place_out(unit: Unit, state: OpenStatus) -> PlaceOut:
    return PlaceOut(slug=unit.slug, name=pick(unit.name_uk, unit.name_en),
                    organisation=pick(unit.organisation.name_uk, unit.organisation.name_en),
                    kind=unit.organisation.kind, lon=unit.lon, lat=unit.lat,
                    address=unit.address, landmark=unit.landmark, district=unit.district,
                    status=status_out(state),
                    url=reverse("directory:place", args=[unit.slug]))


def place_detail(unit: Unit, now: datetime | None = None) -> PlaceDetailOut:
    now = now or timezone.now()
    hours = services.hours_of(unit, now)
    state = services.status_of(unit, now)
    return PlaceDetailOut(
        **place_out(unit, state).dict(),
        opening_hours=unit.hours, closed_on_days_off=unit.closed_on_days_off,
        week=[DayOut(day=d.day, hours=[f"{b:%H:%M}-{e:%H:%M}" for b, e in d.intervals],
                     closed_reason=d.closed.reason if d.closed else None)
              for d in services.week(hours, timezone.localdate(now))],
        closures=[ClosureOut(id=c.pk, start=c.start, end=c.end,
                             reason=pick(c.reason_uk, c.reason_en))
                  for c in unit.closures.all() if c.end >= timezone.localdate(now)],
        contacts=[ContactOut(kind=c.kind, value=c.value, label=c.label,
                             href=href(c.kind, c.value)) for c in unit.contacts.all()],
        languages=list(unit.languages),
        accessibility={"step_free": unit.step_free, "ramp": unit.ramp,
                       "accessible_toilet": unit.accessible_toilet,
                       "hearing_loop": unit.hearing_loop},
        services=[s.slug for s in unit.services.all()],
        maintained_by=unit.organisation.department,
        photos=[PhotoOut(id=p.pk, url=reverse("directory:photo", args=[p.pk]), width=p.width,
                         height=p.height, caption=pick(p.caption_uk, p.caption_en))
                for p in unit.photos.all()])


def eservice_out(service: EService) -> EServiceOut:
    return EServiceOut(
        slug=service.slug, title=pick(service.title_uk, service.title_en),
        summary=pick(service.summary_uk, service.summary_en),
        documents=[line.strip() for line in pick(service.documents_uk,
                                                 service.documents_en).splitlines()
                   if line.strip()],
        cost=pick(service.cost_uk, service.cost_en), term=pick(service.term_uk, service.term_en),
        online_url=service.online_url, diia_url=service.diia_url,
        places=list(Unit.objects.filter(services=service).values_list("slug", flat=True)))


def partner_out(org: Organisation) -> PartnerOut:
    website = next((c.value for u in org.units.all() for c in u.contacts.all()
                    if c.kind == ContactKind.WEBSITE), "")
    return PartnerOut(slug=org.slug, name=pick(org.name_uk, org.name_en),
                      role=org.partner_role,
                      offer=pick(org.partner_offer_uk, org.partner_offer_en), website=website,
                      applications=[ApplicationOut(name=app.name, interface=app.interface)
                                    for app in registered_apps(org.slug)])
