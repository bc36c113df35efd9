"""The notifications module's panels on the resident's cabinet home.

The first thing a resident should see after signing in is what is switched off or going
wrong where they live, so :func:`district_alerts_panel` comes first on the page
(``PanelOrder.ALERTS``): current and planned outages and emergency announcements of the
resident's home district (their own setting, else the register's district) and of the
whole city. Then their subscriptions (what they will be told about, and where).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from misto.core.registry import CabinetPanel, PanelOrder
from misto.notifications import services
from misto.notifications.models import Announcement, Kind, Target


def district_alerts(district: str) -> list[Announcement]:
    """Current outages and emergencies reaching ``district`` (city-wide ones too);
    emergencies first, then by start."""
    rows = services.current().filter(Q(kind=Kind.OUTAGE) | Q(emergency=True))
    reaching = [row for row in rows
                if row.target == Target.CITY or (district and district in row.districts)]
    now = timezone.now()
    return sorted(reaching, key=lambda row: (not row.emergency, row.starts_at is None,
                                             row.starts_at or now))


def district_alerts_panel(request: HttpRequest) -> CabinetPanel | None:
    if not request.user.is_authenticated:
        return None
    district = services.home_district(request.user)
    return CabinetPanel(
        title=gettext_lazy("Outages and emergencies in my district"),
        template="notifications/cabinet_alerts.html",
        context={"alerts": district_alerts(district), "district": district,
                 "district_name": services.district_codes().get(district, "")},
        url_name="notifications:index", order=PanelOrder.ALERTS, key="notifications-alerts")


def subscriptions_panel(request: HttpRequest) -> CabinetPanel | None:
    if not request.user.is_authenticated:
        return None
    names = services.district_codes()
    rows = [(row.topic.title(), names.get(row.district, row.district), row.area is not None)
            for row in services.subscriptions_of(request.user)]
    return CabinetPanel(
        title=gettext_lazy("My subscriptions"),
        template="notifications/cabinet_subscriptions.html", context={"rows": rows},
        url_name="notifications:settings", order=PanelOrder.SUBSCRIPTIONS,
        key="notifications-subscriptions")
