"""A resident's favourite stops, shown in their cabinet with the next arrivals."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from misto.transit.errors import TransitError
from misto.transit.models import FavouriteStop, Stop
from misto.transit.services.feeds import current_feed

MAX_FAVOURITES = 20


def is_favourite(user: Any, stop: Stop) -> bool:
    return bool(user.is_authenticated and FavouriteStop.objects.filter(
        user=user, stop_code=stop.public_code).exists())


def do_toggle(user: Any, stop: Stop) -> bool:
    """Add the stop to the resident's stops, or take it off; True when it is on now."""
    with transaction.atomic():
        deleted, _ = FavouriteStop.objects.filter(user=user, stop_code=stop.public_code).delete()
        if deleted:
            return False
        if FavouriteStop.objects.filter(user=user).count() >= MAX_FAVOURITES:
            oldest = FavouriteStop.objects.filter(user=user).order_by("created_at").first()
            if oldest is not None:
                oldest.delete()
        FavouriteStop.objects.create(user=user, stop_code=stop.public_code)
        return True


def favourites(user: Any) -> list[Stop]:
    """The resident's stops that the current timetable still has, in the order added."""
    codes = list(FavouriteStop.objects.filter(user=user).order_by("created_at")
                 .values_list("stop_code", flat=True))
    if not codes:
        return []
    try:
        feed = current_feed()
    except TransitError:
        return []
    found = {s.public_code: s for s in Stop.objects.filter(feed=feed, code__in=codes)}
    found.update({s.stop_id: s for s in Stop.objects.filter(feed=feed, stop_id__in=codes)
                  if s.public_code in codes})
    return [found[c] for c in codes if c in found]
