"""Fan-out: exactly the right residents, once each, on every target kind."""

from __future__ import annotations

import pytest

from misto.core.models import OutboxEvent
from misto.notifications import services
from misto.notifications.errors import NotificationsCode
from misto.notifications.models import Delivery, FanOut, Message, Status
from misto.notifications.tests.conftest import DISTRICT_A, DISTRICT_B, finish_fanout, outage_draft

pytestmark = pytest.mark.django_db


def recipients(announcement_id: int) -> set[int]:
    return set(Message.objects.filter(announcement_id=announcement_id)
               .values_list("user_id", flat=True))


def test_outage_over_three_streets_reaches_exactly_the_residents_inside(
        city, make_resident, staff) -> None:
    inside = {make_resident(city.points[key]).pk for key in city.inside}
    outside = {make_resident(city.points[key]).pk for key in city.points
               if key not in city.inside}
    not_subscribed = make_resident(city.points[city.inside[0]], topics=())
    other_topic = make_resident(city.points[city.inside[1]], topics=("education",))
    announcement = services.compose(staff(), outage_draft(city))
    assert announcement.status == Status.PUBLISHED
    assert announcement.building_count == 9
    assert announcement.districts == [DISTRICT_A]
    finish_fanout(announcement.pk)
    got = recipients(announcement.pk)
    assert got == inside
    assert not got & outside
    assert not_subscribed.pk not in got and other_topic.pk not in got
    # An e-mail delivery per recipient (all have addresses, e-mail on by default).
    assert Delivery.objects.filter(message__announcement=announcement,
                                   channel="email").count() == len(inside)
    names = set(OutboxEvent.objects.values_list("name", flat=True))
    assert {"notifications.AnnouncementPublished", "notifications.OutageAnnounced"} <= names
    outage_event = OutboxEvent.objects.get(name="notifications.OutageAnnounced")
    assert outage_event.payload["building_count"] == 9
    assert outage_event.payload["kind"] == "water"
    assert outage_event.payload["area_geojson"]["type"] == "MultiPolygon"


def test_running_a_fanout_again_duplicates_nothing(city, make_resident, staff) -> None:
    for key in city.inside:
        make_resident(city.points[key])
    announcement = services.compose(staff(), outage_draft(city))
    finish_fanout(announcement.pk)
    job = FanOut.objects.get(announcement=announcement)
    before = Message.objects.count(), Delivery.objects.count()
    # Run it again from the start (staff repair): the unique keys absorb the repeat.
    services.restart_fanout(job.pk)
    services.run_fanout(job.pk)
    job.refresh_from_db()
    assert job.stage == "done"
    assert (Message.objects.count(), Delivery.objects.count()) == before


def test_small_chunks_give_the_same_result(city, make_resident, staff, settings) -> None:
    expected = {make_resident(city.points[key]).pk for key in city.inside}
    settings.MISTO_NOTIFY_CHUNK = 1
    announcement = services.compose(staff(), outage_draft(city))
    job = FanOut.objects.get(announcement=announcement)
    services.run_fanout(job.pk)
    job.refresh_from_db()
    assert job.stage == "done" and job.chunks > len(expected)
    assert recipients(announcement.pk) == expected
    assert job.recipients == len(expected)


def test_district_target_and_drawn_area_subscriptions(city, make_resident, staff) -> None:
    a_resident = make_resident(city.points[city.inside[0]], topics=("education",))
    b_key = next(k for k in city.points if city.points[k][0] > 35.15)
    b_resident = make_resident(city.points[b_key], topics=("education",))
    drawn = make_resident(None)
    services.subscribe_area(drawn, ["education"], {
        "type": "Polygon", "coordinates": [[[35.12, 47.81], [35.14, 47.81], [35.14, 47.83],
                                            [35.12, 47.83], [35.12, 47.81]]]})
    draft = services.Draft(title_uk="Школи", topics=["education"], target="districts",
                           districts=[DISTRICT_A])
    announcement = services.compose(staff(), draft)
    finish_fanout(announcement.pk)
    assert recipients(announcement.pk) == {a_resident.pk, drawn.pk}
    assert b_resident.pk not in recipients(announcement.pk)


def test_city_wide_needs_a_second_person(city, make_resident, staff) -> None:
    resident = make_resident(city.points[city.inside[0]])
    author, second = staff("author"), staff("second")
    draft = services.Draft(title_uk="Для всього міста", topics=["housing"], target="city")
    announcement = services.compose(author, draft)
    assert announcement.status == Status.PENDING
    assert not FanOut.objects.exists()
    with pytest.raises(services.NotificationError) as error:
        services.approve(author, announcement.pk)
    assert error.value.code == NotificationsCode.SAME_PERSON
    services.approve(second, announcement.pk)
    announcement.refresh_from_db()
    assert announcement.status == Status.PUBLISHED and announcement.approved_by == second
    finish_fanout(announcement.pk)
    assert recipients(announcement.pk) == {resident.pk}


def test_buildings_target(city, make_resident, staff) -> None:
    keys = city.inside[:2]
    chosen = {make_resident(city.points[k]).pk for k in keys}
    make_resident(city.points[city.inside[5]])
    draft = services.Draft(title_uk="Ліфти", topics=["housing"], target="buildings",
                           buildings=[city.buildings[k] for k in keys])
    announcement = services.compose(staff(), draft)
    finish_fanout(announcement.pk)
    assert recipients(announcement.pk) == chosen
    with pytest.raises(services.NotificationError) as error:
        services.compose(staff("x"), services.Draft(title_uk="x", topics=["housing"],
                                                    target="buildings", buildings=[10**12]))
    assert error.value.code == NotificationsCode.BAD_BUILDINGS


def test_scheduled_announcement_waits_for_its_time(city, make_resident, staff) -> None:
    from datetime import timedelta

    from django.utils import timezone

    make_resident(city.points[city.inside[0]])
    later = timezone.now() + timedelta(hours=2)
    draft = services.Draft(title_uk="Пізніше", topics=["housing"], target="districts",
                           districts=[DISTRICT_A], publish_at=later)
    announcement = services.compose(staff(), draft)
    assert announcement.status == Status.SCHEDULED
    assert services.publish_due() == 0
    assert services.publish_due(later + timedelta(seconds=1)) == 1
    announcement.refresh_from_db()
    assert announcement.status == Status.PUBLISHED


@pytest.mark.parametrize("change, code", [
    ({"topics": []}, NotificationsCode.BAD_TOPIC),
    ({"topics": ["nope"]}, NotificationsCode.BAD_TOPIC),
    ({"outage_type": ""}, NotificationsCode.BAD_OUTAGE),
    ({"ends_at": None}, NotificationsCode.BAD_TIMES),
    ({"area": {"type": "Point", "coordinates": [35.1, 47.8]}}, NotificationsCode.BAD_AREA),
    ({"area": "{not json"}, NotificationsCode.BAD_AREA),
    ({"area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
     NotificationsCode.BAD_AREA),
    ({"target": "galaxy"}, NotificationsCode.BAD_TARGET),
    ({"title_uk": " "}, NotificationsCode.BAD_TEXT),
])
def test_bad_drafts_are_refused_and_write_nothing(city, staff, change, code) -> None:
    from misto.notifications.models import Announcement

    with pytest.raises(services.NotificationError) as error:
        services.compose(staff(), outage_draft(city, **change))
    assert error.value.code == code
    assert not Announcement.objects.exists()


def test_ends_before_start_is_refused(city, staff) -> None:
    draft = outage_draft(city)
    draft.ends_at, draft.starts_at = draft.starts_at, draft.ends_at
    with pytest.raises(services.NotificationError) as error:
        services.compose(staff(), draft)
    assert error.value.code == NotificationsCode.BAD_TIMES


def test_district_codes_are_checked(city, make_resident) -> None:
    user = make_resident(None)
    with pytest.raises(services.NotificationError) as error:
        services.set_subscriptions(user, ["housing"], ["UA00000000000000000"])
    assert error.value.code == NotificationsCode.BAD_DISTRICT
    services.set_subscriptions(user, ["housing", "traffic"], [DISTRICT_A, DISTRICT_B])
    assert services.subscriptions_of(user).count() == 4


def test_set_home_subscribes_default_topics_for_the_home_district(city, make_resident) -> None:
    user = make_resident(None)
    home = services.resolve_home("Садова 2")
    assert home.district == DISTRICT_A and home.building_id == city.buildings["Садова 2"]
    services.set_home(user, home)
    topics = set(services.subscriptions_of(user).values_list("topic__code", flat=True))
    assert topics == {code for code, _uk, _en in services.DEFAULT_TOPICS}
    assert set(services.subscriptions_of(user).values_list("district", flat=True)) == {
        DISTRICT_A}
    with pytest.raises(services.NotificationError):
        services.resolve_home("Неіснуюча вулиця 999")


def test_withdrawn_announcement_stops(city, make_resident, staff) -> None:
    for key in city.inside:
        make_resident(city.points[key])
    clerk = staff()
    announcement = services.compose(clerk, outage_draft(city))
    services.withdraw(clerk, announcement.pk)
    finish_fanout(announcement.pk)
    assert not Message.objects.filter(announcement=announcement).exists()
    assert announcement.pk not in set(services.current().values_list("pk", flat=True))



def test_a_clerk_role_may_compose_and_a_moderator_may_not(city, make_resident) -> None:
    from misto.core.models import StaffAssignment

    clerk, moderator = make_resident(None), make_resident(None)
    StaffAssignment.objects.create(user=clerk, role="clerk")
    StaffAssignment.objects.create(user=moderator, role="moderator")
    draft = services.Draft(title_uk="Школи", topics=["education"], target="districts",
                           districts=[DISTRICT_A])
    assert services.compose(clerk, draft).status == Status.PUBLISHED
    with pytest.raises(services.NotificationError) as error:
        services.compose(moderator, draft)
    assert error.value.code == NotificationsCode.FORBIDDEN


def test_default_home_district_from_the_register(city, make_resident, monkeypatch) -> None:
    import misto.residents

    user = make_resident(None)
    monkeypatch.setattr(misto.residents, "person_summary",
                        lambda who: {"district": DISTRICT_B} if who == user else None,
                        raising=False)
    home = services.registered_home(user)
    assert home is not None and home.district == DISTRICT_B and home.building_id is None
    services.set_home(user, home)
    assert set(services.subscriptions_of(user).values_list("district", flat=True)) == {
        DISTRICT_B}
    assert services.registered_home(make_resident(None)) is None
