"""Role holders: a person's record by RNOKPP (with the reason, written to the person's
access log) and decisions on correction requests. The access helpers answer the same 404
for a missing object and one outside the user's scope."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import django_auth

from misto.core.permissions import can
from misto.core.schemas import DbId, refusals
from misto.residents import services
from misto.residents.api.schemas import CorrectionOut, PersonOut
from misto.residents.errors import forbidden

router = Router(tags=["residents"], auth=django_auth)


class LookupQuery(Schema):
    rnokpp: str
    reason: str


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


@router.get("/people", response={200: PersonOut, **refusals(400, 401, 403, 404)})
def find_person(request: HttpRequest, query: Query[LookupQuery]) -> PersonOut:
    """A person by RNOKPP, with the reason written to their access log (400 without one).

    Staff who may open nobody's personal data are refused (403) before the look-up, so the
    answer is the same whether the number exists or not.
    """
    if not can(request.user, "residents.person.view_personal"):
        raise forbidden(_("You may not open this person's personal data."))
    person = services.access_person(request.user, query.rnokpp)
    data = services.read_personal(person, actor=request.user, reason=query.reason,
                                  channel="api")
    return PersonOut.of(person, data)


@router.post("/corrections/{request_id}/decision",
             response={200: CorrectionOut, **refusals(400, 401, 403, 404)})
def decide(request: HttpRequest, request_id: DbId, body: DecisionIn) -> CorrectionOut:
    """Approve (the register changes) or reject with a reason; 403 is a failed CSRF check,
    400 a request already decided or a rejection without a reason."""
    correction = services.access_correction(request.user, request_id)
    row = services.decide_correction(correction.pk, approve=body.approve, reason=body.reason,
                                     by=request.user)
    return CorrectionOut(id=row.pk, field=row.field, status=row.status)
