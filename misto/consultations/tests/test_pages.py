"""The pages in both languages: the list, a poll (vote by form, refused twice), the ballot
list, a hearing with its thread, the staff page (403 for a resident)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from misto.consultations.models import Hearing, Poll, PollBallot
from misto.testing.world import make_resident, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_pages_render_in_both_languages(poll: Poll, hearing: Hearing, clerk: Any,
                                            language: str) -> None:
    client = Client(headers={"accept-language": language})
    client.cookies["django_language"] = language
    for path in ("/consultations/", f"/consultations/polls/{poll.pk}/",
                 f"/consultations/polls/{poll.pk}/ballots/",
                 f"/consultations/hearings/{hearing.pk}/", "/consultations/ballot/"):
        response = client.get(path)
        assert response.status_code == 200, path
    text = client.get("/consultations/").content.decode()
    assert ("Опитування та консультації" if language == "uk" else "Polls and consultations") \
        in text


def test_vote_on_the_page_once(poll: Poll) -> None:
    client = signed_in(make_resident("page-voter"))
    response = client.post(f"/consultations/polls/{poll.pk}/vote/", {"answer": "2"})
    assert response.status_code == 303 and "receipt=" in response["Location"]
    assert client.get(response["Location"]).status_code == 200
    again = client.post(f"/consultations/polls/{poll.pk}/vote/", {"answer": "1"}, follow=True)
    assert PollBallot.objects.count() == 1
    assert "already answered" in again.content.decode() or \
        "вже відповіли" in again.content.decode()
    anonymous = Client().post(f"/consultations/polls/{poll.pk}/vote/", {"answer": "1"})
    assert anonymous.status_code == 303 and "sign" in anonymous["Location"]
    assert Client().get("/consultations/ballot/?receipt=0123456789abcdef0123").status_code == 404


def test_comment_on_the_page_and_staff_pages(hearing: Hearing, clerk: Any) -> None:
    resident = signed_in(make_resident("page-commenter"))
    resident.post(f"/consultations/hearings/{hearing.pk}/comment/", {"body": "Більше лавок!"})
    assert "Більше лавок!" in Client().get(f"/consultations/hearings/{hearing.pk}/") \
        .content.decode()
    assert resident.get("/consultations/staff/").status_code == 403
    staff = signed_in(clerk)
    assert staff.get("/consultations/staff/").status_code == 200
    created = staff.post("/consultations/staff/polls/", {
        "title_uk": "Нове питання", "options": "Так\nНі", "closes_at": "2099-01-01T10:00"})
    assert created.status_code == 303
    assert Poll.objects.filter(title_uk="Нове питання", state="draft").exists()
    bad = staff.post("/consultations/staff/polls/", {"title_uk": "Х", "options": "Так",
                                                     "closes_at": "2099-01-01T10:00"})
    assert bad.status_code == 303 and Poll.objects.filter(title_uk="Х").count() == 0
