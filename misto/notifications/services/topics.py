"""Topics: what residents subscribe to (housing, education, traffic...).

Subscriptions and announcements both name topics by code; this file checks those codes and
seeds the defaults, so neither of them owns the list.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.models import Topic

DEFAULT_TOPICS = [
    # (code, Ukrainian, English)
    ("housing", "ЖКГ", "Housing and utilities"),
    ("education", "Освіта", "Education"),
    ("traffic", "Транспорт", "Traffic"),
    ("events", "Події", "Local events"),
    ("safety", "Безпека", "Safety"),
    ("environment", "Довкілля", "Environment"),
]


def ensure_default_topics() -> int:
    """Create the default topics that are missing; returns how many were created."""
    created = 0
    for position, (code, title_uk, title_en) in enumerate(DEFAULT_TOPICS):
        _topic, made = Topic.objects.get_or_create(
            code=code, defaults={"title_uk": title_uk, "title_en": title_en,
                                 "position": position})
        created += int(made)
    return created


def active_topics() -> list[Topic]:
    return list(Topic.objects.filter(active=True))


def topics_by_code(codes: Iterable[str]) -> list[Topic]:
    wanted = [code.strip() for code in codes if code and code.strip()]
    found = {t.code: t for t in Topic.objects.filter(code__in=wanted, active=True)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise NotificationError(NotificationsCode.BAD_TOPIC,
                                _("Unknown topic(s): %(codes)s") % {"codes": ", ".join(unknown)})
    return [found[code] for code in dict.fromkeys(wanted)]
