"""Secret ballots: one blind-signed token per eligible person and round, a ballot cast with
it that names no one, every ballot in the public ledger.

``issue_token`` knows the person and records only that they received the round's token
(``Voter``); it signs a blinded value and never sees the token. ``cast`` knows the token and
the choices and never the person: it needs no sign-in. The two meet only inside the voter's
client (``misto.core.ballots``); Misto's own pages run that client in the request
(``vote_here``) and keep nothing of it (docs/budget.md, "threat model").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.events import BallotCast
from misto.budget.models import ON_BALLOT, Ballot, DistrictBudget, Method, Project, Round, Voter
from misto.budget.services.rounds import CITY, amount_for, count_ballot, voting_open
from misto.core import ballots, bus
from misto.ledger import append
from misto.residents.civic import Ineligible, Refusal, Rule, Standing, check_standing

#: The ledger entries' kind; ``misto budget recount`` and the public recount read it.
BALLOT_KIND = "budget.ballot"


b64 = ballots.b64


def unb64(text: str, field: str, limit: int = 1024) -> bytes:
    try:
        return ballots.from_b64(text, limit)
    except ballots.BlindError:
        raise BudgetError(BudgetCode.BAD_TOKEN, _("The voting token is not valid base64."),
                          field=field) from None


def _closed() -> BudgetError:
    return BudgetError(BudgetCode.WRONG_PHASE, _("Voting in this round is not open."))


def check_voter(user: Any, level: str | None, found: Round) -> tuple[Standing, DistrictBudget]:
    """Whether ``user`` (signed in at ``level``) may vote in ``found`` now, and in which
    district; the reason if not. Nothing is written."""
    if not voting_open(found):
        raise _closed()
    pools = {row.district: row for row in DistrictBudget.objects.filter(round=found)}
    rule = Rule(register_verified_only=found.register_verified_only,
                min_age=found.min_age, districts=tuple(pools))
    try:
        person = check_standing(user, level, rule)
    except Ineligible as refused:
        raise _ineligible(refused.reason, found) from None
    pool = pools[person.district]
    return person, pool


def _ineligible(reason: Refusal, found: Round) -> BudgetError:
    if reason is Refusal.LEVEL_TOO_LOW:
        return BudgetError(BudgetCode.LEVEL_TOO_LOW,
                           _("Voting needs a sign-in through an identity provider (BankID, "
                             "Diia or the city's own)."))
    if reason is Refusal.NOT_IN_REGISTER:
        return BudgetError(BudgetCode.NOT_ELIGIBLE,
                           _("Only residents in the community register may vote; your account "
                             "is not linked to a register entry."))
    if reason is Refusal.NOT_VERIFIED:
        return BudgetError(BudgetCode.NOT_ELIGIBLE,
                           _("Your register entry is not verified yet; a provider sign-in or a "
                             "visit to the administrative services centre verifies it."))
    if reason is Refusal.TOO_YOUNG:
        return BudgetError(BudgetCode.NOT_ELIGIBLE,
                           _("Voting in this round is open from the age of %(age)s.")
                           % {"age": found.min_age})
    return BudgetError(BudgetCode.OUTSIDE_DISTRICT,
                       _("Your registered address is outside the districts of this round."))


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
        signed = ballots.sign_blinded(pool.private_key, blinded_msg)
    except ballots.BlindError as error:
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
    if pool is None or not ballots.token_valid(pool.public_key, token, signature):
        raise BudgetError(BudgetCode.BAD_TOKEN,
                          _("This voting token was not issued by the city for this round "
                            "and district."), field="token")
    return _record(found, pool, token, signature, check_choices(found, pool.district, numbers))


def _record(found: Round, pool: DistrictBudget, token: bytes, signature: bytes,
            projects: list[Project]) -> Ballot:
    """The checked ballot into the ledger, the ballots and the counts, in one transaction."""
    chosen = sorted(p.number for p in projects)
    token_text, receipt = b64(token), ballots.receipt(token)
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
    with transaction.atomic():
        token, signature = ballots.sign_here(
            pool.public_key,
            lambda blinded: _sign_once(found, person, pool, blinded).blind_signature)
        return _record(found, pool, token, signature, projects)


def find_ballot(receipt: str) -> Ballot | None:
    text = ballots.normal_receipt(receipt)
    if text is None:
        return None
    return Ballot.objects.select_related("round").filter(receipt=text).first()
