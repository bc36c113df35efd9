"""Drafting and submitting a petition: ``check_draft`` validates everything, the ``do_``
functions only write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.core import bus
from misto.petitions.errors import DraftProblems, PetitionError, PetitionsCode
from misto.petitions.events import PetitionSubmitted
from misto.petitions.models import Petition, Status, Topic

TITLE = (10, 200)
TEXT = (50, 10_000)


@dataclass(frozen=True)
class CheckedDraft:
    title: str
    text: str
    topic: str
    place: Point | None
    place_label: str
    district: str


def _length(value: str, bounds: tuple[int, int], field: str, problems: dict[str, str]) -> str:
    value = (value or "").strip()
    low, high = bounds
    if len(value) < low:
        problems[field] = _("Write at least %(n)s characters.") % {"n": low}
    elif len(value) > high:
        problems[field] = _("At most %(n)s characters.") % {"n": high}
    return value


def _place(query: str, problems: dict[str, str]) -> tuple[Point | None, str, str]:
    query = (query or "").strip()[:200]
    if not query:
        return None, "", ""
    hits = twin.search(query, limit=1)
    if not hits:
        problems["place"] = _("No address or landmark «%(q)s» on the city map.") % {"q": query}
        return None, "", ""
    hit = hits[0]
    district = twin.district_at(hit.lon, hit.lat)
    return Point(hit.lon, hit.lat, srid=4326), hit.label[:200], district.katottg if district else ""


def check_draft(title: str, text: str, topic: str, place: str = "") -> CheckedDraft:
    """Everything a draft needs, checked at once (every problem reported, nothing written)."""
    problems: dict[str, str] = {}
    clean_title = _length(title, TITLE, "title", problems)
    clean_text = _length(text, TEXT, "text", problems)
    if topic not in Topic.values:
        problems["topic"] = _("Choose a topic from the list.")
    point, label, district = _place(place, problems)
    if problems:
        raise DraftProblems(problems)
    return CheckedDraft(clean_title, clean_text, topic, point, label, district)


def do_create_draft(author: Any, draft: CheckedDraft) -> Petition:
    return Petition.objects.create(
        author=author, title=draft.title, text=draft.text, topic=draft.topic,
        place=draft.place, place_label=draft.place_label, district=draft.district)


def do_update_draft(petition: Petition, draft: CheckedDraft) -> Petition:
    if petition.status != Status.DRAFT:
        raise PetitionError(PetitionsCode.WRONG_STATUS,
                            _("Only a draft can be changed; this one is %(status)s.")
                            % {"status": petition.get_status_display()})
    for name in ("title", "text", "topic", "place", "place_label", "district"):
        setattr(petition, name, getattr(draft, name))
    petition.save()
    return petition


def submit(petition: Petition) -> Petition:
    """Send the author's draft to moderation."""
    if petition.status != Status.DRAFT:
        raise PetitionError(PetitionsCode.WRONG_STATUS,
                            _("This petition has already been submitted."))
    with transaction.atomic():
        petition.status = Status.MODERATION
        petition.submitted_at = timezone.now()
        petition.save(update_fields=["status", "submitted_at"])
        bus.publish(PetitionSubmitted(petition_id=petition.pk, title=petition.title))
    return petition
