"""The e-reception pages in Ukrainian and English."""

from __future__ import annotations

import pytest
from django.test import Client

from misto.appeals.models import Appeal, Status
from misto.testing import make_staff
from misto.testing.world import make_resident

from .conftest import TEXT, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("uk", "Електронна приймальня"),
                                                 ("en", "E-reception")])
def test_the_directory_in_both_languages(receptions, language, words) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/appeals/").content.decode()
    assert words in page
    title = "Начальник служби освітлення" if language == "uk" else "Head of street lighting"
    assert title in page


def test_writing_replying_and_answering_from_the_pages(receptions, resident, clerk) -> None:
    writer = signed_in(resident)
    empty = writer.post("/appeals/write/light-head/", {"reception": "light-head"})
    assert empty.status_code == 422 and 'href="#f-subject"' in empty.content.decode()
    sent = writer.post("/appeals/write/light-head/", {
        "reception": "light-head", "kind": "complaint", "subject": "Не світить ліхтар",
        "text": TEXT})
    assert sent.status_code == 303
    appeal = Appeal.objects.get(author=resident)
    office = signed_in(clerk)
    assert appeal.number in office.get("/appeals/queue/").content.decode()
    office.post(f"/appeals/{appeal.number}/act/", {"step": "ask",
                                                   "text": "Уточніть номер опори."})
    writer.post(f"/appeals/{appeal.number}/act/", {"step": "reply", "text": "Опора 12-0457"})
    office.post(f"/appeals/{appeal.number}/act/", {"step": "answer",
                                                   "text": "Ліхтар замінено 5 грудня 2026 року."})
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    thread = writer.get(f"/appeals/{appeal.number}/").content.decode()
    for text in ("Уточніть номер опори.", "Опора 12-0457", "Ліхтар замінено"):
        assert text in thread
    assert "Мої звернення" in writer.get("/cabinet/").content.decode() or \
        appeal.number in writer.get("/cabinet/").content.decode()


def test_staff_pages_need_their_role(receptions) -> None:
    resident = signed_in(make_resident("curious"))
    assert resident.get("/appeals/queue/").status_code == 403
    assert resident.get("/appeals/stats/").status_code == 403
    assert signed_in(make_staff("aud", "auditor")).get("/appeals/stats/").status_code == 200


def test_the_thread_and_the_queue_speak_the_readers_language(appeal, resident, clerk) -> None:
    office = signed_in(clerk)
    queue = office.get("/appeals/queue/").content.decode()
    assert "Черга е-приймальні" in queue and "Відкриті звернення" in queue
    office.post(f"/appeals/{appeal.number}/act/", {"step": "answer",
                                                   "text": "Ліхтар замінено 5 грудня."})
    writer = signed_in(resident)
    writer.cookies["django_language"] = "en"
    thread = writer.get(f"/appeals/{appeal.number}/").content.decode()
    assert "Head of street lighting" in thread and "Начальник служби" not in thread
    assert "the term ran until" in thread
