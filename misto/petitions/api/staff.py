"""Staff: moderation, the official answer, annulments, the signing activity."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import DbId, refusals
from misto.petitions import services
from misto.petitions.api.convert import petition_detail, petition_out
from misto.petitions.api.schemas import (
    ActivityOut,
    AnnulIn,
    AnnulmentOut,
    Number,
    PetitionDetailOut,
    PetitionOut,
    RejectIn,
)

router = Router(tags=["petitions: staff"], auth=django_auth)


@router.get("/moderation", response={200: list[PetitionOut], **refusals(401, 403)},
            summary="Petitions waiting for moderation")
def moderation(request: HttpRequest) -> list[PetitionOut]:
    require(request.user, "petitions.petition.moderate")
    return [petition_out(p) for p in services.moderation_queue(request.user)]


@router.post("/moderation/{petition_id}/open",
             response={200: PetitionDetailOut, **refusals(401, 403, 404, 409)},
             summary="Open a petition for signatures")
def open_petition(request: HttpRequest, petition_id: DbId) -> PetitionDetailOut:
    petition = services.access_petition(request.user, petition_id,
                                        "petitions.petition.moderate")
    return petition_detail(services.open_petition(request.user, petition))


@router.post("/moderation/{petition_id}/reject",
             response={200: PetitionDetailOut, **refusals(401, 403, 404, 409)},
             summary="Reject a petition, citing a published rule")
def reject(request: HttpRequest, petition_id: DbId, body: RejectIn) -> PetitionDetailOut:
    petition = services.access_petition(request.user, petition_id,
                                        "petitions.petition.moderate")
    return petition_detail(services.reject(request.user, petition, body.rule, body.note))


@router.get("/answering", response={200: list[PetitionOut], **refusals(401, 403)},
            summary="Petitions under consideration my department answers, nearest deadline first")
def answering(request: HttpRequest) -> list[PetitionOut]:
    require(request.user, "petitions.petition.answer")
    return [petition_out(p) for p in services.answer_queue(request.user)[:500]]


# Optional and still read: Django Ninja drops a file declared ``File[UploadedFile] | None``.
OPTIONAL_DOCUMENT = File(None)


@router.post("/{number}/answer", response={200: PetitionDetailOut, **refusals(401, 403, 404, 409)},
             summary="Publish the official answer (text and an optional PDF)")
def answer(request: HttpRequest, number: Number, text: Form[str],
           document: UploadedFile | None = OPTIONAL_DOCUMENT) -> PetitionDetailOut:
    petition = services.access_by_number(request.user, number, "petitions.petition.answer")
    return petition_detail(services.answer(request.user, petition, text, document))


@router.post("/{number}/annulments", response={201: AnnulmentOut, **refusals(401, 403, 404)},
             summary="Annul signatures by their ledger pseudonyms, with the reason")
def annul(request: HttpRequest, number: Number, body: AnnulIn) -> Status[AnnulmentOut]:
    petition = services.access_by_number(request.user, number, "petitions.signature.annul")
    annulment = services.annul(request.user, petition, body.signers, body.reason)
    return Status(201, AnnulmentOut(id=annulment.pk, count=annulment.count,
                                    reason=annulment.reason,
                                    signature_count=petition.signature_count))


@router.get("/{number}/activity", response={200: list[ActivityOut], **refusals(401, 403, 404)},
            summary="Signatures per hour over the last three days (bursts)")
def activity(request: HttpRequest, number: Number) -> list[ActivityOut]:
    petition = services.access_by_number(request.user, number, "petitions.petition.view")
    return [ActivityOut(hour=hour, signatures=n)
            for hour, n in services.signing_activity(petition)]
