"""The petition pages in Ukrainian and English: list, detail, sign, recount, signers,
the draft form, moderation and the answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from misto.petitions import services
from misto.petitions.models import Petition, Status
from misto.residents import levels

from .conftest import TEXT, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["uk", "en"])
def test_public_pages_read_in_both_languages(open_petition, residents, language) -> None:
    for user in residents(2):
        services.sign(user, levels.VERIFIED, open_petition)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    number = open_petition.number
    words = {"uk": ("Петиції", "з 3 підписів", "Перерахувати"),
             "en": ("petitions", "of 3 signatures", "Recount")}[language]
    index = client.get("/petitions/").content.decode()
    assert words[0].lower() in index.lower() and open_petition.title in index
    detail = client.get(f"/petitions/{number}/").content.decode()
    assert words[1] in detail and words[2] in detail
    recount = client.get(f"/petitions/{number}/recount/").content.decode()
    assert "recount-ok" in recount
    signers = client.get(f"/petitions/{number}/signers/").content.decode()
    assert "Тестова О. П." in signers and "Петрівна" not in signers
    assert client.get("/petitions/rules/").status_code == 200
    assert client.get("/petitions/2026-9999/").status_code == 404


def test_signing_from_the_page_asks_for_a_verified_sign_in(open_petition, residents) -> None:
    (user,) = residents(1)
    url = f"/petitions/{open_petition.number}/sign/"
    basic = signed_in(user, levels.BASIC)
    response = basic.post(url)
    assert response.status_code == 303 and "/signin" in response["Location"]
    verified = signed_in(user)
    response = verified.post(url, follow=True)
    assert "ledger" in response.content.decode() or "реєстр" in response.content.decode()
    assert Petition.objects.get(pk=open_petition.pk).signature_count == 1
    again = verified.post(url, follow=True).content.decode()
    assert "already signed" in again or "вже підписали" in again
    verified.post(url, {"action": "withdraw"})
    assert Petition.objects.get(pk=open_petition.pk).signature_count == 0


def test_a_resident_drafts_and_submits_a_moderator_opens(city, rules, author,
                                                         moderator) -> None:
    client = signed_in(author)
    empty = client.post("/petitions/new/", {"title": "", "text": "", "topic": ""})
    assert empty.status_code == 422
    body = empty.content.decode()
    assert 'aria-invalid="true"' in body and 'href="#f-title"' in body
    response = client.post("/petitions/new/", {
        "title": "Лавки вздовж набережної", "topic": "environment", "place": "",
        "text": "Просимо поставити лавки вздовж набережної: людям похилого віку ніде відпочити.",
        "submit": "1"})
    assert response.status_code == 303
    petition = Petition.objects.get(author=author)
    assert petition.status == Status.MODERATION
    staff = signed_in(moderator)
    assert petition.title in staff.get("/petitions/moderation/").content.decode()
    staff.post(f"/petitions/moderation/{petition.pk}/", {"decision": "open"})
    petition.refresh_from_db()
    assert petition.status == Status.COLLECTING and petition.number
    assert signed_in(author).get("/petitions/mine/").status_code == 200


def test_the_clerk_answers_from_the_page(open_petition, residents, council_clerk) -> None:
    for user in residents(3):
        services.sign(user, levels.VERIFIED, open_petition)
    client = signed_in(council_clerk)
    url = f"/petitions/{open_petition.number}/answer/"
    assert client.post(url, {"text": "мало"}).status_code == 422
    response = client.post(url, {"text": "Світлофор встановлять до 1 березня 2027 року."})
    assert response.status_code == 303
    page = Client().get(f"/petitions/{open_petition.number}/").content.decode()
    assert "Світлофор встановлять" in page


def test_the_cabinet_shows_my_petitions(open_petition, author: Any) -> None:
    page = signed_in(author).get("/cabinet/").content.decode()
    assert open_petition.title in page


def test_a_rejection_names_the_rule_in_the_readers_language(city, rules, author,
                                                             moderator) -> None:
    draft = services.check_draft("Перейменувати країну", TEXT, "other", "")
    petition = services.submit(services.do_create_draft(author, draft))
    staff = signed_in(moderator)
    staff.cookies["django_language"] = "en"
    queue = staff.get("/petitions/moderation/").content.decode()
    # Rules are a radio list a phone shows whole (a select cut their titles off).
    assert 'type="radio" name="rule" value="R1"' in queue
    assert "Outside the city&#x27;s powers" in queue
    services.reject(moderator, petition, "R1", "")
    writer = signed_in(author)
    writer.cookies["django_language"] = "en"
    assert "Outside the city&#x27;s powers" in writer.get("/petitions/mine/").content.decode()
    writer.cookies["django_language"] = "uk"
    assert "Не в межах повноважень міста" in writer.get("/petitions/mine/").content.decode()
