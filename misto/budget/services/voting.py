"""Secret ballots: one blind-signed token per eligible person and round, a ballot cast with
it that names no one, every ballot in the public ledger.

``issue_token`` knows the person and records only that they received the round's token
(``Voter``); it signs a blinded value and never sees the token. ``cast`` knows the token and
the choices and never the person: it needs no sign-in. The two meet only inside the voter's
client (``misto.budget.blind``); Misto's own pages run that client in the request
(``vote_here``) and keep nothing of it (docs/budget.md, "threat model").
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from misto.budget import blind
from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.events import BallotCast
from misto.budget.models import ON_BALLOT, Ballot, DistrictBudget, Method, Project, Round, Voter
from misto.budget.services.rounds import CITY, amount_for, count_ballot, voting_open
from misto.core import bus
from misto.ledger import append
from misto.residents import levels
from misto.residents.civic import Standing, standing

#: The ledger entries' kind; ``misto budget recount`` and the public recount read it.
BALLOT_KIND = "budget.ballot"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, field: str, limit: int = 1024) -> bytes:
    try:
        return base64.b64decode(str(text)[:limit], validate=True)
    except (binascii.Error, ValueError):
        raise BudgetError(BudgetCode.BAD_TOKEN, _("The voting token is not valid base64."),
                          field=field) from None


def _closed() -> BudgetError:
    return BudgetError(BudgetCode.WRONG_PHASE, _("Voting in this round is not open."))


def check_voter(user: Any, level: str | None, found: Round) -> tuple[Standing, DistrictBudget]:
    """Whether ``user`` (signed in at ``level``) may vote in ``found`` now, and in which
    district; the reason if not. Nothing is written."""
    if not voting_open(found):
        raise _closed()
    if level is None or levels.RANK.get(level, 0) < levels.RANK[levels.VERIFIED]:
        raise BudgetError(BudgetCode.LEVEL_TOO_LOW,
                          _("Voting needs a sign-in through an identity provider (BankID, "
                            "Diia or the city's own)."))
    person = standing(user)
    if person is None:
        raise BudgetError(BudgetCode.NOT_ELIGIBLE,
                          _("Only residents in the community register may vote; your account "
                            "is not linked to a register entry."))
    if found.register_verified_only and not person.register_verified:
        raise BudgetError(BudgetCode.NOT_ELIGIBLE,
                          _("Your register entry is not verified yet; a provider sign-in or a "
                            "visit to the administrative services centre verifies it."))
    if person.age is None or person.age < found.min_age:
        raise BudgetError(BudgetCode.NOT_ELIGIBLE,
                          _("Voting in this round is open from the age of %(age)s.")
                          % {"age": found.min_age})
    pool = DistrictBudget.objects.filter(round=found, district=person.district).first()
    if pool is None:
        raise BudgetError(BudgetCode.OUTSIDE_DISTRICT,
                          _("Your registered address is outside the districts of this round."))
    return person, pool


@dataclass(frozen=True)
class IssuedToken:
    district: str
    public_key: str
    blind_signature: bytes


def issue_token(user: Any, level: str | None, found: Round, blinded_msg: bytes,
                district: str | None = None) -> IssuedToken:
    """Sign the voter's blinded token with their district's key, once per person and round
    (the unique ``Voter`` row is the "has voted" mark; it holds no time and no token).
    ``district``: the key the client blinded with; it must be the voter's own."""
    person, pool = check_voter(user, level, found)
    if district is not None and district != pool.district:
        raise BudgetError(BudgetCode.OUTSIDE_DISTRICT,
                          _("You may vote only in the district of your registered address."),
                          field="district")
    return _sign_once(found, person, pool, blinded_msg)


def _sign_once(found: Round, person: Standing, pool: DistrictBudget,
               blinded_msg: bytes) -> IssuedToken:
    try:
        signed = blind.blind_sign(blind.load_private(pool.private_key), blinded_msg)
    except blind.BlindError as error:
        raise BudgetError(BudgetCode.BAD_TOKEN, str(error), field="blinded_msg") from None
    try:
        with transaction.atomic():
            if Voter.objects.filter(round=found, person_id=person.person_id).exists():
                raise BudgetError(BudgetCode.ALREADY_VOTED,
                                  _("You have already voted in this round."))
            Voter.objects.create(round=found, person_id=person.person_id)
    except IntegrityError:  # the same person twice at the same instant
        raise BudgetError(BudgetCode.ALREADY_VOTED,
                          _("You have already voted in this round.")) from None
    return IssuedToken(pool.district, pool.public_key, signed)


def check_choices(found: Round, district: str, numbers: list[str]) -> list[Project]:
    """The chosen projects, if this ballot may choose them: on the ballot in this round, of
    the voter's district or city-wide, within the round's limit or amount."""
    wanted = sorted({str(n)[:24] for n in numbers or []})
    if not wanted or len(wanted) != len(numbers or []):
        raise BudgetError(BudgetCode.BAD_CHOICE,
                          _("Choose at least one project, each once."), field="choices")
    projects = list(Project.objects.filter(round=found, number__in=wanted,
                                           status__in=ON_BALLOT))
    if len(projects) != len(wanted):
        raise BudgetError(BudgetCode.BAD_CHOICE,
                          _("Some chosen projects are not on this round's ballot."),
                          field="choices")
    if any(p.district not in (district, CITY) for p in projects):
        raise BudgetError(BudgetCode.OUTSIDE_DISTRICT,
                          _("You may vote only for projects of your own district and "
                            "city-wide ones."), field="choices")
    if found.method == Method.APPROVAL and len(projects) > found.max_choices:
        raise BudgetError(BudgetCode.BAD_CHOICE,
                          _("Choose at most %(n)s projects.") % {"n": found.max_choices},
                          field="choices")
    if found.method == Method.KNAPSACK:
        for pool in {p.district for p in projects}:
            if sum(p.cost for p in projects if p.district == pool) > amount_for(found, pool):
                raise BudgetError(BudgetCode.BAD_CHOICE,
                                  _("The chosen projects cost more than the budget."),
                                  field="choices")
    return projects


def cast(found: Round, district: str, token: bytes, signature: bytes,
         numbers: list[str]) -> Ballot:
    """Count one ballot (no sign-in: the token is the right to vote). Refused when voting is
    closed, the token is not signed by the district's key, or was used before."""
    if not voting_open(found):
        raise _closed()
    pool = DistrictBudget.objects.filter(round=found, district=str(district)[:64]).first()
    if pool is None or len(token) != blind.TOKEN_BYTES or \
            not blind.verify(blind.load_public(pool.public_key), token, signature):
        raise BudgetError(BudgetCode.BAD_TOKEN,
                          _("This voting token was not issued by the city for this round "
                            "and district."), field="token")
    return _record(found, pool, token, signature, check_choices(found, pool.district, numbers))


def _record(found: Round, pool: DistrictBudget, token: bytes, signature: bytes,
            projects: list[Project]) -> Ballot:
    """The checked ballot into the ledger, the ballots and the counts, in one transaction."""
    chosen = sorted(p.number for p in projects)
    token_text, receipt = b64(token), blind.receipt(token)
    used = BudgetError(BudgetCode.TOKEN_USED, _("A ballot with this token has already been "
                                                "counted."), field="token")
    try:
        with transaction.atomic():
            if Ballot.objects.filter(token=token_text).exists():
                raise used
            entry = append(BALLOT_KIND, {
                "round": found.number, "district": pool.district, "token": token_text,
                "signature": b64(signature), "receipt": receipt, "choices": chosen})
            ballot = Ballot.objects.create(round=found, district=pool.district,
                                           token=token_text, receipt=receipt, choices=chosen,
                                           ledger_index=entry.index)
            count_ballot(found, chosen)
            bus.publish(BallotCast(round=found.number, district=pool.district))
    except IntegrityError:
        raise used from None
    return ballot


def vote_here(user: Any, level: str | None, found: Round, numbers: list[str]) -> Ballot:
    """The pages' voting client: checks, then token, blinding, signing, unblinding and the
    cast in one transaction (a refusal anywhere leaves no "has voted" mark). The token and the
    blinding factor live only in this call's memory."""
    person, pool = check_voter(user, level, found)
    projects = check_choices(found, pool.district, numbers)
    public = blind.load_public(pool.public_key)
    with transaction.atomic():
        token = blind.new_token()
        blinded = blind.blind(public, token)
        issued = _sign_once(found, person, pool, blinded.blinded_msg)
        # ``finalize`` verifies the signature with the district's public key, as ``cast`` does.
        signature = blind.finalize(public, token, issued.blind_signature, blinded.inverse)
        return _record(found, pool, token, signature, projects)


def find_ballot(receipt: str) -> Ballot | None:
    text = "".join(ch for ch in str(receipt).lower() if ch in "0123456789abcdef")[:20]
    if len(text) != 20:
        return None
    return Ballot.objects.select_related("round").filter(receipt=text).first()
