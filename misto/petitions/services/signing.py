"""One click, one person, one signature, each in the public ledger under a pseudonym.

``check_signature`` decides eligibility from the register (never from the account) and the
sign-in level; ``sign``, ``withdraw`` and ``annul`` change the signature rows, the count
and the ledger in one transaction, so the three can never disagree. The database's unique
constraint, not the page, is what stops a second signature by the same person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.crypto import blind_index
from misto.ledger import append
from misto.petitions.errors import PetitionError, PetitionsCode
from misto.petitions.models import Annulment, Petition, Signature, Status
from misto.petitions.services.consideration import reach_threshold
from misto.residents import levels
from misto.residents.civic import Ineligible, Refusal, Rule, Standing, check_standing, standing

#: The ledger entries' kind; ``misto petitions recount`` and the public recount read it.
LEDGER_KIND = "petitions.signature"
SIGNING = (Status.COLLECTING, Status.CONSIDERATION)
REASON = 500


def pseudonym(petition: Petition, person_uuid: str) -> str:
    """The signer's name in the ledger: a keyed hash of the register entry and the petition
    (the same person twice on one petition is visible to everyone; across petitions nobody
    without the city's key can link them; the register's uuid is random, not guessable)."""
    return blind_index("petition-signer", f"{petition.pk}:{person_uuid}")


@dataclass(frozen=True)
class Eligible:
    standing: Standing
    signer: str


def collecting(petition: Petition, today: Any = None) -> bool:
    today = today or timezone.localdate()
    return (petition.status in SIGNING and petition.collection_ends is not None
            and today <= petition.collection_ends)


def _ineligible(reason: Refusal, petition: Petition) -> PetitionError:
    if reason is Refusal.LEVEL_TOO_LOW:
        return PetitionError(PetitionsCode.LEVEL_TOO_LOW,
                             _("Signing needs a sign-in through an identity provider "
                               "(BankID, Diia or the city's own)."))
    if reason is Refusal.NOT_IN_REGISTER:
        return PetitionError(PetitionsCode.NOT_ELIGIBLE,
                             _("Only residents in the community register may sign; your "
                               "account is not linked to a register entry."))
    if reason is Refusal.NOT_VERIFIED:
        return PetitionError(PetitionsCode.NOT_ELIGIBLE,
                             _("Your register entry is not verified yet; a provider sign-in "
                               "or a visit to the administrative services centre verifies "
                               "it."))
    return PetitionError(PetitionsCode.NOT_ELIGIBLE,
                         _("Petitions may be signed from the age of %(age)s.")
                         % {"age": petition.min_age})


def check_signature(user: Any, level: str | None, petition: Petition) -> Eligible:
    """Whether ``user`` (signed in at ``level``) may sign now, with the reason if not."""
    if not collecting(petition):
        raise PetitionError(PetitionsCode.NOT_COLLECTING,
                            _("This petition is not collecting signatures."))
    rule = Rule(level=petition.sign_level or levels.VERIFIED,
                register_verified_only=petition.register_verified_only,
                min_age=petition.min_age or 0)
    try:
        found = check_standing(user, level, rule)
    except Ineligible as refused:
        raise _ineligible(refused.reason, petition) from None
    return Eligible(found, pseudonym(petition, found.person_uuid))


def _ledger(petition: Petition, action: str, signers: list[str], count: int,
            actor: Any = None, reason: str = "") -> int:
    data: dict[str, Any] = {"petition": petition.number, "action": action, "count": count}
    data["signers" if action == "annul" else "signer"] = signers if action == "annul" \
        else signers[0]
    if reason:
        data["reason"] = reason
    return append(LEDGER_KIND, data, actor=str(actor.pk) if actor is not None else None).index


def _count_after(petition: Petition, change: int) -> int:
    Petition.objects.filter(pk=petition.pk).update(signature_count=F("signature_count") + change)
    count = Petition.objects.values_list("signature_count", flat=True).get(pk=petition.pk)
    petition.signature_count = count
    return count


def sign(user: Any, level: str | None, petition: Petition) -> Signature:
    """Sign ``petition`` (or sign again after a withdrawal) for ``user``."""
    eligible = check_signature(user, level, petition)
    person_id = eligible.standing.person_id
    try:
        with transaction.atomic():
            existing = Signature.objects.select_for_update().filter(
                petition=petition, person_id=person_id).first()
            if existing is not None and existing.annulment_id is not None:
                raise PetitionError(PetitionsCode.NOT_ELIGIBLE,
                                    _("Your signature on this petition was annulled."))
            if existing is not None and existing.withdrawn_at is None:
                raise PetitionError(PetitionsCode.ALREADY_SIGNED,
                                    _("You have already signed this petition."))
            count = _count_after(petition, +1)
            index = _ledger(petition, "sign", [eligible.signer], count, user)
            if existing is None:
                signature = Signature.objects.create(
                    petition=petition, person_id=person_id, user=user, signer=eligible.signer,
                    ledger_index=index)
            else:
                signature = existing
                signature.withdrawn_at = None
                signature.signed_at = timezone.now()
                signature.ledger_index = index
                signature.save(update_fields=["withdrawn_at", "signed_at", "ledger_index"])
            if petition.status == Status.COLLECTING and count >= (petition.threshold or 0):
                reach_threshold(petition, count)
    except IntegrityError:  # the same person signing twice at the same instant
        raise PetitionError(PetitionsCode.ALREADY_SIGNED,
                            _("You have already signed this petition.")) from None
    return signature


def withdraw(user: Any, petition: Petition) -> Signature:
    """Withdraw one's signature while collection runs (a ledgered act too)."""
    if not collecting(petition):
        raise PetitionError(PetitionsCode.NOT_COLLECTING,
                            _("Signatures can be withdrawn only while they are collected."))
    found = standing(user)
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(
            Signature.active_q(), petition=petition,
            person_id=found.person_id if found else -1).first()
        if signature is None:
            raise PetitionError(PetitionsCode.NOT_SIGNED,
                                _("You have not signed this petition."))
        signature.withdrawn_at = timezone.now()
        count = _count_after(petition, -1)
        signature.ledger_index = _ledger(petition, "withdraw", [signature.signer], count, user)
        signature.save(update_fields=["withdrawn_at", "ledger_index"])
    return signature


def annul(moderator: Any, petition: Petition, signers: list[str], reason: str) -> Annulment:
    """Annul the signatures of ``signers`` (pseudonyms, as the ledger shows them) with the
    decision's ``reason``: public, ledgered, never a silent delete."""
    reason = (reason or "").strip()
    if not reason:
        raise PetitionError(PetitionsCode.INVALID, _("State the reason (e.g. the court "
                                                     "decision)."), field="reason")
    wanted = sorted(set(signers))
    with transaction.atomic():
        rows = list(Signature.objects.select_for_update().filter(
            Signature.active_q(), petition=petition, signer__in=wanted))
        if len(rows) != len(wanted) or not rows:
            raise PetitionError(PetitionsCode.INVALID,
                                _("Some of these signatures do not exist or are no longer "
                                  "active."), field="signers")
        annulment = Annulment.objects.create(petition=petition, reason=reason[:REASON],
                                             decided_by=moderator, count=len(rows))
        Signature.objects.filter(pk__in=[row.pk for row in rows]).update(annulment=annulment)
        count = _count_after(petition, -len(rows))
        _ledger(petition, "annul", wanted, count, reason=reason[:REASON])
    return annulment
