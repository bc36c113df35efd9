"""Petitions' and appeals' steps reach the resident's inbox (and the executor's), in the
resident's language, once each."""

from __future__ import annotations

import pytest
from django.utils import translation

from misto.appeals import services as appeals
from misto.appeals.models import Reception
from misto.core import outbox
from misto.notifications.channels import render
from misto.notifications.models import Message
from misto.petitions import services as petitions
from misto.petitions.models import ModerationRule, Rules
from misto.residents import levels
from misto.testing import make_staff
from misto.testing.world import build_city, make_resident

pytestmark = pytest.mark.django_db


def _deliver() -> None:
    while outbox.deliver_due(limit=500):
        pass


def _titles(user, language: str = "uk") -> list[str]:
    with translation.override(language):
        return [render(m, language).title for m in Message.objects.filter(user=user)
                .order_by("pk")]


def test_every_signer_hears_the_petitions_answer() -> None:
    build_city()
    ModerationRule.objects.create(code="R1", title_uk="П", title_en="R", text_uk="т",
                                  text_en="t")
    Rules.objects.create(threshold=2, answering_department="council")
    author = make_resident("author")
    moderator = make_staff("moderator", "moderator")
    clerk = make_staff("clerk", "clerk", department="council")
    petition = petitions.open_petition(moderator, petitions.submit(petitions.do_create_draft(
        author, petitions.check_draft("Світлофор біля школи № 5", "x" * 60, "transport"))))
    signers = [make_resident(f"s{i}") for i in range(3)]
    for user in signers:
        petitions.sign(user, levels.VERIFIED, petition)
    petitions.answer(clerk, petition, "Світлофор встановлять до березня наступного року.")
    _deliver()
    assert _titles(author)[-1] == f"Місто відповіло на петицію № {petition.number}"
    assert any("зібрала 2 підписів" in title for title in _titles(author))
    for user in signers:
        assert _titles(user, "en") == [f"The city answered petition {petition.number}"]
    _deliver()  # delivered once
    assert Message.objects.filter(user=signers[0]).count() == 1


def test_the_appeals_author_and_executor_hear_of_each_step() -> None:
    Reception.objects.create(code="light-head", kind="department_head", title_uk="Світло",
                             title_en="Light", department="light")
    author = make_resident("writer")
    clerk = make_staff("light-clerk", "clerk", department="light")
    appeal = appeals.register(appeals.check_appeal(
        "light-head", "complaint", "Ліхтар", "Третій тиждень не світить ліхтар біля будинку."),
        author=author)
    registered_due = appeal.due.strftime("%d.%m.%Y")
    appeals.assign(clerk, appeal, clerk, 15)
    appeals.request_information(clerk, appeal, "Уточніть номер опори, будь ласка.")
    appeals.reply(author, appeal, "Опора 12-0457")
    appeals.answer(clerk, appeal, "Ліхтар на опорі 12-0457 замінено 5 грудня.")
    _deliver()
    assert _titles(author) == [
        f"Звернення № {appeal.number} зареєстровано; відповідь — до {registered_due}",
        f"Щодо звернення № {appeal.number} просять додаткову інформацію",
        f"Надано відповідь на звернення № {appeal.number}"]
    assert _titles(clerk) == [f"Мешканець відповів у зверненні № {appeal.number}"]
