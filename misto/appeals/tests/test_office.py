"""The office's side: overdue escalation to the head, privileged categories from the
register, attachments through the page and the API, statistics per office against a recount,
and the KPIs the index reads."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from misto.appeals import indicators, services
from misto.appeals.models import Appeal, Message, Reception, Status
from misto.core import outbox
from misto.core.models import OutboxEvent
from misto.notifications.models import Message as Notice
from misto.residents.models import BenefitCategory, PersonBenefit
from misto.testing import make_staff
from misto.testing.world import make_resident

from .conftest import TEXT, signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _deliver() -> None:
    while outbox.deliver_due(limit=500):
        pass


def _title(notice: Notice) -> str:
    return str((notice.data or {}).get("title_en", ""))


def _register(code: str, *, author: Any = None, received: date | None = None,
              channel: str = "web") -> Appeal:
    checked = services.check_appeal(code, "complaint", "Не світить ліхтар", TEXT)
    if author is None:
        return services.register(checked, channel="paper", contact="Іван Петренко, Козацька 2",
                                 received_on=received)
    return services.register(checked, author=author, channel=channel, received_on=received)


def test_an_overdue_appeal_is_escalated_to_the_head_of_the_executors_office(
        receptions, resident, clerk) -> None:
    head = make_staff("light-head-person", "clerk", department="light")
    Reception.objects.filter(code="light-head").update(head=head)
    staff_reception = Reception.objects.create(code="light-staff", kind="department",
                                               title_uk="Служба освітлення",
                                               title_en="Street lighting", department="light")
    direct = _register("light-head", author=resident, received=date(2026, 1, 5))
    via_department = _register(staff_reception.code, author=resident, received=date(2026, 1, 5))
    nobody = _register("mayor", author=resident, received=date(2026, 1, 5))
    for appeal in (direct, via_department):
        services.assign(clerk, appeal, clerk, 30)
    assert services.mark_overdue(date(2026, 3, 1)) == 3
    heads = {e.payload["number"]: e.payload["head_user_id"]
             for e in OutboxEvent.objects.filter(name="appeals.AppealOverdue")}
    # The reception's own head; the department head's for a staff reception; nobody named.
    assert heads == {direct.number: head.pk, via_department.number: head.pk,
                     nobody.number: None}
    _deliver()
    titles = sorted(_title(n) for n in Notice.objects.filter(user=head))
    assert titles == sorted(f"Appeal {a.number} is overdue (it was due "
                            f"{a.due:%d.%m.%Y})" for a in (direct, via_department))
    assert sum("is overdue" in _title(n) for n in Notice.objects.filter(user=clerk)) == 2
    assert not any("is overdue" in _title(n) for n in Notice.objects.filter(user=resident))


def test_privileged_categories_come_from_the_register(receptions, clerk, settings) -> None:
    def benefit(user: Any, code: str, until: date | None = None) -> None:
        category, _new = BenefitCategory.objects.get_or_create(
            code=code, defaults={"title_uk": code, "title_en": code})
        PersonBenefit.objects.create(person=user.person, category=category,
                                     valid_from=date(2020, 1, 1), valid_until=until,
                                     document="посвідчення")

    ordinary, veteran, former, pensioner = (make_resident(name) for name in (
        "ordinary", "veteran", "former-veteran", "pensioner"))
    benefit(veteran, "veteran")
    benefit(former, "veteran", until=timezone.localdate() - timedelta(days=1))
    benefit(pensioner, "pensioner")
    appeals = {user.username: _register("light-head", author=user)
               for user in (ordinary, veteran, former, pensioner)}
    assert {name: a.privileged for name, a in appeals.items()} == {
        "ordinary": False, "veteran": True, "former-veteran": False, "pensioner": False}
    assert services.queue_for(clerk).first() == appeals["veteran"]
    assert OutboxEvent.objects.get(name="appeals.AppealRegistered",
                                   payload__number=appeals["veteran"].number
                                   ).payload["privileged"] is True
    # The city's list decides: pensioners first, veterans no longer.
    settings.MISTO_APPEALS_PRIVILEGED = "pensioner"
    assert _register("light-head", author=pensioner).privileged is True
    assert _register("light-head", author=veteran).privileged is False


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_attachments_through_the_page_and_the_api(receptions, resident, clerk) -> None:
    writer = signed_in(resident)
    sent = writer.post("/appeals/write/light-head/", {
        "reception": "light-head", "kind": "complaint", "subject": "Не світить ліхтар",
        "text": TEXT, "attachment": SimpleUploadedFile("photo.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    appeal = Appeal.objects.get(author=resident)
    first = appeal.messages.get()
    assert first.attachment.name.endswith(".pdf") and first.attachment.read() == PDF

    bad = writer.post("/appeals/write/light-head/", {
        "reception": "light-head", "kind": "complaint", "subject": "Ще одне звернення",
        "text": TEXT, "attachment": SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 50)},
        HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and "Attach a PDF or a photo" in bad.content.decode()
    assert Appeal.objects.filter(author=resident).count() == 1

    url = f"/api/appeals/{appeal.number}/attachments"
    made = writer.post(url, {"text": "Фото опори додаю.",
                             "attachment": SimpleUploadedFile("pole.png", _png(), "image/png")})
    assert made.status_code == 201, made.content
    photo = appeal.messages.latest("pk")
    assert photo.text == "Фото опори додаю." and photo.attachment.name.endswith(".png")
    assert any("/media/" in (m.get("attachment") or "") or m.get("attachment")
               for m in made.json()["messages"])
    before = Message.objects.count()
    refused = writer.post(url, {"text": "Ще файл", "attachment": SimpleUploadedFile(
        "notes.txt", b"just text, not a photo", "text/plain")}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid"
    assert "Attach a PDF or a photo" in refused.json()["detail"]
    assert Message.objects.count() == before
    stranger = signed_in(make_resident("stranger"))
    assert stranger.post(url, {"text": "чуже", "attachment": SimpleUploadedFile(
        "p.pdf", PDF, "application/pdf")}).status_code == 404
    assert Message.objects.count() == before


def test_statistics_per_office_against_a_recount(receptions, resident, clerk) -> None:
    today = timezone.localdate()
    council = make_staff("council-clerk", "clerk", department="council")
    on_time = _register("light-head", author=resident, received=today - timedelta(days=10))
    late = _register("light-head", author=resident, received=today - timedelta(days=50))
    overdue = _register("light-head", received=today - timedelta(days=40))
    running = _register("light-head", author=resident, received=today - timedelta(days=2))
    mayor = _register("mayor", author=resident, received=today - timedelta(days=4))
    services.answer(clerk, on_time, "Ліхтар замінено, дякуємо за звернення.")
    services.answer(clerk, late, "Ліхтар замінено із запізненням, перепрошуємо.")
    services.answer(council, mayor, "Питання передано до профільного департаменту.")
    Appeal.objects.filter(pk=late.pk).update(answered_at=timezone.now())  # answered today
    rows = {row.reception.code: row for row in services.reception_stats()}
    for code in ("light-head", "mayor"):
        appeals = list(Appeal.objects.filter(reception__code=code))
        answered = [a for a in appeals if a.status == Status.ANSWERED]
        days = [(timezone.localtime(a.answered_at).date() - a.received_on).days
                for a in answered]
        recount = (len(appeals), len(answered),
                   sum(1 for a in answered if timezone.localtime(a.answered_at).date() <= a.due),
                   sum(1 for a in appeals if a.is_open and a.due < today),
                   round(sum(days) / len(days), 1) if days else None)
        row = rows[code]
        assert (row.received, row.answered, row.on_time, row.overdue_open,
                row.average_days) == recount
    assert (rows["light-head"].received, rows["light-head"].answered,
            rows["light-head"].on_time, rows["light-head"].overdue_open,
            rows["light-head"].average_days) == (4, 2, 1, 1, 30.0)
    assert (rows["mayor"].received, rows["mayor"].on_time, rows["mayor"].average_days) == \
        (1, 1, 4.0)
    assert running.is_open and overdue.is_open
    page = signed_in(make_staff("aud", "auditor")).get("/appeals/stats/").content.decode()
    assert "30,0" in page or "30.0" in page


def test_the_kpis_online_to_the_mayor_and_to_departments(receptions, resident) -> None:
    today = timezone.localdate()
    Reception.objects.create(code="light-staff", kind="department", title_uk="Служба",
                             title_en="Service", department="light")
    Reception.objects.create(code="deputy-12", kind="deputy", title_uk="Депутат",
                             title_en="Deputy", department="council")
    for code in ("mayor", "mayor", "light-head", "light-staff", "deputy-12"):
        _register(code, author=resident)
    _register("mayor")  # on paper: not online
    _register("light-head", author=resident, channel="phone")
    _register("mayor", author=resident, received=today - timedelta(days=40))  # another period
    start = datetime.combine(today, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    end = start + timedelta(days=1)
    mayor = indicators.online_to_mayor(start, end, None)
    departments = indicators.online_to_departments(start, end, None)
    assert (mayor.value, mayor.inputs) == (2.0, 2)
    assert (departments.value, departments.inputs) == (2.0, 2)
    assert indicators.received(start, end, None).value == 7
    share = indicators.online_share(start, end, None)
    assert share.inputs == 7 and share.value == pytest.approx(100 * 5 / 7)
    wide = indicators.online_to_mayor(start - timedelta(days=60), end, None)
    assert wide.value == 3.0
