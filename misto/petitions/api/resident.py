"""The signed-in resident: drafts, submitting, signing and withdrawing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.security import django_auth

from misto.core.schemas import DbId, refusals
from misto.petitions import services
from misto.petitions.api.convert import petition_detail, petition_out
from misto.petitions.api.schemas import (
    DraftIn,
    Number,
    PetitionDetailOut,
    PetitionOut,
    SignatureOut,
)
from misto.petitions.errors import PetitionError, PetitionsCode
from misto.petitions.models import Petition, Signature
from misto.residents import levels

router = Router(tags=["petitions: resident"], auth=django_auth)


def _user_id(request: HttpRequest) -> int:
    """The signed-in user's id (the route requires a sign-in)."""
    return int(request.user.pk or 0)


def _verified(request: HttpRequest) -> None:
    if not levels.has_level(request, levels.VERIFIED):
        raise PetitionError(PetitionsCode.LEVEL_TOO_LOW,
                            _("Drafting a petition needs a sign-in through an identity "
                              "provider (BankID, Diia or the city's own)."))


@router.get("/mine", response={200: list[PetitionOut], **refusals(401)},
            summary="My petitions, drafts included")
def mine(request: HttpRequest) -> list[PetitionOut]:
    return [petition_out(p) for p in services.own_petitions(request.user)]


@router.post("/drafts", response={201: PetitionDetailOut, **refusals(401, 403)},
             summary="Draft a petition (a verified sign-in)")
def create_draft(request: HttpRequest, body: DraftIn) -> Status[PetitionDetailOut]:
    _verified(request)
    draft = services.check_draft(body.title, body.text, body.topic, body.place)
    return Status(201, petition_detail(services.do_create_draft(request.user, draft)))


@router.put("/drafts/{petition_id}", response={200: PetitionDetailOut,
                                               **refusals(401, 403, 404, 409)},
            summary="Change one's draft")
def update_draft(request: HttpRequest, petition_id: DbId, body: DraftIn) -> PetitionDetailOut:
    _verified(request)
    petition = services.access_own(request.user, petition_id)
    draft = services.check_draft(body.title, body.text, body.topic, body.place)
    return petition_detail(services.do_update_draft(petition, draft))


@router.post("/drafts/{petition_id}/submit", response={200: PetitionDetailOut,
                                                       **refusals(401, 404, 409)},
             summary="Send one's draft to moderation")
def submit(request: HttpRequest, petition_id: DbId) -> PetitionDetailOut:
    return petition_detail(services.submit(services.access_own(request.user, petition_id)))


def _signature_out(petition: Petition, signature: Signature | None) -> SignatureOut:
    active = signature is not None and signature.is_active()
    return SignatureOut(number=petition.number or "", signed=active,
                        signer=signature.signer if active and signature else None,
                        ledger_index=signature.ledger_index if signature else None,
                        signature_count=petition.signature_count)


@router.get("/{number}/signature", response={200: SignatureOut, **refusals(401, 404)},
            summary="Whether I signed, and my signature's ledger entry")
def my_signature(request: HttpRequest, number: Number) -> SignatureOut:
    petition = services.access_by_number(request.user, number)
    signature = Signature.objects.filter(petition=petition, user_id=_user_id(request)).first()
    return _signature_out(petition, signature)


@router.post("/{number}/signature", response={201: SignatureOut,
                                              **refusals(401, 403, 404, 409)},
             summary="Sign (one click; one person, one signature)")
def sign(request: HttpRequest, number: Number) -> Status[SignatureOut]:
    petition = services.access_by_number(request.user, number)
    signature = services.sign(request.user, levels.level_of(request), petition)
    return Status(201, _signature_out(petition, signature))


@router.delete("/{number}/signature", response={200: SignatureOut,
                                                **refusals(401, 404, 409)},
               summary="Withdraw my signature while collection runs")
def withdraw(request: HttpRequest, number: Number) -> SignatureOut:
    petition = services.access_by_number(request.user, number)
    signature = services.withdraw(request.user, petition)
    return _signature_out(petition, signature)
