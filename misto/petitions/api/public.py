"""Open to anyone: petitions, their counts, the public signer list, the recount, the rules."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from misto.core.schemas import refusals
from misto.ledger.reading import entries
from misto.petitions import services
from misto.petitions.api.convert import petition_detail, petition_out, rule_out
from misto.petitions.api.schemas import (
    LedgerRecordOut,
    Number,
    PetitionDetailOut,
    PetitionFilter,
    PetitionPage,
    RecountOut,
    RulesOut,
    SignerPage,
)
from misto.petitions.models import Signature
from misto.residents.civic import public_names

router = Router(tags=["petitions"])
PageSize = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]


@router.get("", response={200: PetitionPage, **refusals()}, summary="Published petitions")
def petitions(request: HttpRequest, filters: Query[PetitionFilter]) -> PetitionPage:
    rows = services.public_petitions(status=filters.status, topic=filters.topic,
                                     district=filters.district, query=filters.q)
    page = rows[filters.offset:filters.offset + filters.limit]
    return PetitionPage(total=rows.count(), items=[petition_out(p) for p in page])


@router.get("/rules", response={200: RulesOut, **refusals()},
            summary="The city's petition rules and the moderation rules drafts are checked against")
def rules(request: HttpRequest) -> RulesOut:
    current = services.current_rules()
    return RulesOut(threshold=current.threshold, collection_days=current.collection_days,
                    min_age=current.min_age, sign_level=current.sign_level,
                    register_verified_only=current.register_verified_only,
                    answer_working_days=current.answer_working_days,
                    moderation_rules=[rule_out(rule) for rule in services.published_rules()])


@router.get("/{number}", response={200: PetitionDetailOut, **refusals(404)},
            summary="One petition with its count, clock and answer")
def petition(request: HttpRequest, number: Number) -> PetitionDetailOut:
    return petition_detail(services.access_by_number(request.user, number))


@router.get("/{number}/recount", response={200: RecountOut, **refusals(404)},
            summary="Recount: the displayed count, the signature rows and the public ledger")
def recount(request: HttpRequest, number: Number) -> RecountOut:
    found = services.access_by_number(request.user, number)
    result = services.recount(found)
    return RecountOut(number=number, agrees=result.agrees, **result.__dict__)


@router.get("/{number}/signers", response={200: SignerPage, **refusals(404)},
            summary="The public list of signers (Art. 23-1), in the form the city chose")
def signers(request: HttpRequest, number: Number, offset: Offset = 0,
            limit: PageSize = 100) -> SignerPage:
    found = services.access_by_number(request.user, number)
    rows = Signature.objects.filter(Signature.active_q(), petition=found).order_by("signed_at")
    ids = list(rows.values_list("person_id", flat=True)[offset:offset + limit])
    names = public_names(ids, found.signer_names or "initials")
    return SignerPage(total=rows.count(), names=[names[i] for i in ids if i in names])


@router.get("/{number}/ledger", response={200: list[LedgerRecordOut], **refusals(404)},
            summary="The petition's ledger entries, to recount independently")
def ledger(request: HttpRequest, number: Number, offset: Offset = 0,
           limit: PageSize = 500) -> list[dict[str, Any]]:
    services.access_by_number(request.user, number)
    records = entries(services.LEDGER_KIND, where={"petition": number})
    chosen = [record for position, record in enumerate(records)
              if offset <= position < offset + limit]
    return [{"index": r.index, "leaf_hash": r.leaf_hash, "time": r.time, "data": r.data}
            for r in chosen]
