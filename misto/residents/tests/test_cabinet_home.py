"""The "My city" cabinet home, and where staff land after signing in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from misto.core.models import Role
from misto.notifications import services as notices
from misto.reports import demo as reports_demo
from misto.reports import services as reports
from misto.reports.models import Status
from misto.residents.tests.conftest import EAST, WEST


def _outage(district: str, title: str) -> None:
    now = timezone.now()
    checked = notices.check_draft(notices.Draft(
        kind="outage", outage_type="water", topics=["housing"], target="districts",
        districts=[district], title_uk=title, title_en=title, body_uk="Ремонт.",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5)))
    notices.publish_announcement(notices._create(checked, None))


def test_cabinet_home_puts_my_district_first_then_my_cases(client, make_person, make_user):
    resident = make_user()
    make_person(1, user=resident, address="Шевченка 1")  # in the western district
    notices.ensure_default_topics()
    _outage(WEST, "Немає води на Шевченка")
    _outage(EAST, "Немає води на сході")
    reports_demo.load_tree()
    report = reports.submit(reports.Submission(
        category="streetlight-out", description="Не світить ліхтар", lon=35.1301, lat=47.8201,
        attributes={"how_many": "1"}, author=resident))
    notices.set_subscriptions(resident, ["housing"], [WEST])
    client.force_login(resident)

    page = client.get(reverse("residents:cabinet")).content.decode()

    sections = re.findall(r'<section id="([\w-]+)"', page)
    expected = ["notifications-alerts", "reports-mine", "notifications-subscriptions",
                "notifications-inbox", "quick-actions", "profile", "privacy", "sessions"]
    assert [name for name in sections if name in expected] == expected
    alerts = page[page.index('id="notifications-alerts"'):page.index('id="reports-mine"')]
    assert "Немає води на Шевченка" in alerts and "Немає води на сході" not in alerts
    mine = page[page.index('id="reports-mine"'):page.index('id="notifications-subscriptions"')]
    assert report.public_id in mine and Status.NEW in mine
    assert "Наступний крок" in mine
    actions = page[page.index('id="quick-actions"'):page.index('id="profile"')]
    assert reverse("reports:submit") in actions and reverse("notifications:settings") in actions


def test_a_resident_without_a_district_is_asked_for_an_address(client, make_user, city):
    client.force_login(make_user())
    page = client.get(reverse("residents:cabinet")).content.decode()
    alerts = page[page.index('id="notifications-alerts"'):]
    assert reverse("notifications:settings") in alerts


@pytest.mark.parametrize(("role", "workspace"), [
    (Role.CLERK, "reports:queue"),
    (Role.OPERATOR, "reports:intake"),
    (Role.DISPATCHER, "situation:centre"),
    (Role.IT_ADMIN, "iot:devices"),
    (Role.AUDITOR, "residents:staff-audit"),
    (Role.MODERATOR, "reports:map"),
])
def test_staff_land_on_their_workspace(client, make_user, role, workspace):
    user = make_user(role)
    response = client.post(reverse("residents:signin"),
                           {"username": user.username, "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse(workspace)


def test_a_user_without_a_role_lands_home_and_next_still_wins(client, make_user):
    user = make_user()
    response = client.post(reverse("residents:signin"),
                           {"username": user.username, "password": "pw"})
    assert response["Location"] == reverse("core:home")
    clerk = make_user(Role.CLERK)
    response = client.post(reverse("residents:signin"), {
        "username": clerk.username, "password": "pw", "next": "/notices/"})
    assert response["Location"] == "/notices/"
