"""One click, one person, one signature; every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from misto.ledger.models import LedgerEntry
from misto.petitions import services
from misto.petitions.errors import PetitionError, PetitionsCode
from misto.petitions.models import Petition, Signature, Status
from misto.residents import levels
from misto.testing.world import make_resident

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _state(petition: Petition) -> tuple[int, int, int]:
    petition.refresh_from_db()
    return (petition.signature_count, Signature.objects.filter(petition=petition).count(),
            LedgerEntry.objects.filter(kind=services.LEDGER_KIND).count())


def test_signing_counts_ledgers_and_reaches_the_threshold(open_petition, residents) -> None:
    signers = residents(3)
    for user in signers[:2]:
        services.sign(user, levels.VERIFIED, open_petition)
    assert _state(open_petition) == (2, 2, 2)
    assert open_petition.status == Status.COLLECTING
    services.sign(signers[2], levels.VERIFIED, open_petition)
    open_petition.refresh_from_db()
    assert open_petition.status == Status.CONSIDERATION
    assert open_petition.threshold_reached_on == timezone.localdate()
    deadline = services.answer_deadline(open_petition)
    assert deadline is not None and open_petition.answer_due == deadline.due
    result = services.recount(open_petition)
    assert result.agrees and (result.displayed, result.rows, result.ledger) == (3, 3, 3)


@pytest.mark.parametrize(("make", "level", "code"), [
    (lambda: make_resident("self-registered", verified=False), levels.VERIFIED,
     PetitionsCode.NOT_ELIGIBLE),
    (lambda: make_resident("child", birth_date=(timezone.localdate() - timedelta(days=365 * 15))
                           .isoformat()), levels.VERIFIED, PetitionsCode.NOT_ELIGIBLE),
    (lambda: make_resident("code-sign-in"), levels.BASIC, PetitionsCode.LEVEL_TOO_LOW),
    (lambda: __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
     .objects.create_user("no-register-entry"), levels.VERIFIED, PetitionsCode.NOT_ELIGIBLE),
])
def test_ineligible_signers_are_refused_and_nothing_changes(open_petition, make, level,
                                                            code) -> None:
    user = make()
    before = _state(open_petition)
    with pytest.raises(PetitionError) as refused:
        services.sign(user, level, open_petition)
    assert refused.value.code == code and refused.value.message
    assert _state(open_petition) == before


def test_one_person_signs_once(open_petition, residents) -> None:
    (user,) = residents(1)
    services.sign(user, levels.VERIFIED, open_petition)
    before = _state(open_petition)
    with pytest.raises(PetitionError) as refused:
        services.sign(user, levels.VERIFIED, open_petition)
    assert refused.value.code == PetitionsCode.ALREADY_SIGNED and refused.value.status == 409
    assert _state(open_petition) == before
    # The database, not only the service, refuses a second row for the same person.
    signature = Signature.objects.get(petition=open_petition)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(petition=open_petition, person_id=signature.person_id,
                                 signer="x" * 64)


def test_no_signature_after_the_period_or_on_a_rejected_petition(
        open_petition, residents, city, rules, author, moderator) -> None:
    (user,) = residents(1)
    Petition.objects.filter(pk=open_petition.pk).update(
        collection_ends=timezone.localdate() - timedelta(days=1))
    open_petition.refresh_from_db()
    before = _state(open_petition)
    with pytest.raises(PetitionError) as refused:
        services.sign(user, levels.VERIFIED, open_petition)
    assert refused.value.code == PetitionsCode.NOT_COLLECTING
    assert _state(open_petition) == before

    draft = services.check_draft("Інша петиція для відхилення", "x" * 60, "other")
    rejected = services.reject(moderator, services.submit(
        services.do_create_draft(author, draft)), "R1", "Не стосується громади")
    with pytest.raises(PetitionError) as refused:
        services.sign(user, levels.VERIFIED, rejected)
    assert refused.value.code == PetitionsCode.NOT_COLLECTING
    assert not Signature.objects.filter(petition=rejected).exists()


def test_withdraw_sign_again_and_annul_all_recount(open_petition, residents, moderator) -> None:
    first, second = residents(2)
    services.sign(first, levels.VERIFIED, open_petition)
    signature = services.sign(second, levels.VERIFIED, open_petition)
    services.withdraw(first, open_petition)
    assert _state(open_petition)[0] == 1
    services.sign(first, levels.VERIFIED, open_petition)  # signing again after withdrawing
    assert _state(open_petition)[0] == 2
    annulment = services.annul(moderator, open_petition, [signature.signer],
                               "Рішення суду № 123/456/26")
    assert annulment.count == 1 and _state(open_petition)[0] == 1
    result = services.recount(open_petition)
    assert result.agrees and result.ledger == 1 and result.ledger_entries == 5
    with pytest.raises(PetitionError) as refused:
        services.sign(second, levels.VERIFIED, open_petition)
    assert refused.value.code == PetitionsCode.NOT_ELIGIBLE
    with pytest.raises(PetitionError):
        services.annul(moderator, open_petition, ["f" * 64], "нема такого")
    with pytest.raises(PetitionError):
        services.annul(moderator, open_petition, [signature.signer], "  ")


def test_a_tampered_count_is_caught_by_the_recount(open_petition, residents) -> None:
    for user in residents(2):
        services.sign(user, levels.VERIFIED, open_petition)
    Petition.objects.filter(pk=open_petition.pk).update(signature_count=250)
    result = services.recount(open_petition)
    assert not result.agrees and (result.displayed, result.ledger) == (250, 2)


def test_the_ledger_holds_no_personal_data(open_petition, residents, city, rules, author,
                                           moderator) -> None:
    (user,) = residents(1)
    services.sign(user, levels.VERIFIED, open_petition)
    other = services.open_petition(moderator, services.submit(services.do_create_draft(
        author, services.check_draft("Друга петиція про парк", "y" * 60, "environment"))))
    services.sign(user, levels.VERIFIED, other)
    rows = list(LedgerEntry.objects.filter(kind=services.LEDGER_KIND).order_by("index"))
    person = user.person
    for row in rows:
        for secret in (str(person.uuid), person.last_name, person.first_name,
                       person.birth_date, user.username):
            assert secret not in row.payload
    first, second = (Signature.objects.get(petition=p, user=user) for p in (open_petition, other))
    assert first.signer != second.signer  # unlinkable across petitions
    assert len(first.signer) == 64


def test_signing_through_the_api(open_petition, residents, client: Any) -> None:
    (user,) = residents(1)
    url = f"/api/petitions/{open_petition.number}/signature"
    assert client.post(url).status_code == 401
    basic = signed_in(user, levels.BASIC)
    response = basic.post(url)
    assert response.status_code == 403 and response.json()["error"] == "level_too_low"
    verified = signed_in(user)
    response = verified.post(url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signed"] and body["signature_count"] == 1 and body["ledger_index"] >= 0
    again = verified.post(url)
    assert again.status_code == 409 and again.json()["error"] == "already_signed"
    assert verified.delete(url).json()["signed"] is False
    assert Petition.objects.get(pk=open_petition.pk).signature_count == 0
