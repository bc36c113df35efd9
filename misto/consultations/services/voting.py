"""Secret ballots: one blind-signed token per eligible person and poll, a ballot cast with
it that names no one, every ballot in the public ledger (``misto.core.ballots``).

``issue_token`` knows the person and records only that they received the poll's token
(``Participant``); it signs a blinded value and never sees the token. ``cast`` knows the
token and the answers and never the person: it needs no sign-in. Misto's own pages run the
voter's client in the request (``vote_here``) and keep nothing of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from misto.consultations.errors import ConsultationsCode, ConsultationsError
from misto.consultations.events import BallotCast
from misto.consultations.models import Choice, Option, Participant, Poll, PollBallot, PollKey
from misto.consultations.services.common import check_resident, is_running
from misto.core import ballots, bus
from misto.ledger import append
from misto.residents.civic import Standing

#: The ledger entries' kind; ``misto consultations recount`` and the public recount read it.
BALLOT_KIND = "consultations.ballot"
TEXT_LIMIT = 1000


def unb64(text: str, field: str) -> bytes:
    try:
        return ballots.from_b64(text)
    except ballots.BlindError:
        raise ConsultationsError(ConsultationsCode.BAD_TOKEN,
                                 _("The voting token is not valid base64."),
                                 field=field) from None


def _closed() -> ConsultationsError:
    return ConsultationsError(ConsultationsCode.WRONG_STATE, _("This poll is not open."))


def _already() -> ConsultationsError:
    return ConsultationsError(ConsultationsCode.ALREADY_VOTED,
                              _("You have already answered this poll."))


def check_voter(user: Any, level: str | None, poll: Poll) -> tuple[Standing, PollKey]:
    """Whether ``user`` (signed in at ``level``) may vote in ``poll`` now, and with which
    key; the reason if not. Nothing is written."""
    if not is_running(poll):
        raise _closed()
    person = check_resident(user, level, poll, "vote")
    group = person.district if poll.by_district else ""
    key = PollKey.objects.filter(poll=poll, group=group).first()
    if key is None:
        raise ConsultationsError(ConsultationsCode.OUTSIDE_DISTRICT,
                                 _("Only residents of the districts concerned may take part."))
    return person, key


@dataclass(frozen=True)
class IssuedToken:
    group: str
    public_key: str
    blind_signature: bytes


def issue_token(user: Any, level: str | None, poll: Poll, blinded_msg: bytes,
                group: str | None = None) -> IssuedToken:
    """Sign the voter's blinded token once per person and poll (the unique ``Participant``
    row is the "has voted" mark; it holds no time and no token). ``group``: the key the
    client blinded with; it must be the voter's own."""
    person, key = check_voter(user, level, poll)
    if group is not None and group != key.group:
        raise ConsultationsError(ConsultationsCode.OUTSIDE_DISTRICT,
                                 _("This key is not the one for your district."),
                                 field="group")
    return IssuedToken(key.group, key.public_key, _sign_once(poll, person, key, blinded_msg))


def _sign_once(poll: Poll, person: Standing, key: PollKey, blinded_msg: bytes) -> bytes:
    try:
        signed = ballots.sign_blinded(key.private_key, blinded_msg)
    except ballots.BlindError as error:
        raise ConsultationsError(ConsultationsCode.BAD_TOKEN, str(error),
                                 field="blinded_msg") from None
    try:
        with transaction.atomic():
            if Participant.objects.filter(poll=poll, person_id=person.person_id).exists():
                raise _already()
            Participant.objects.create(poll=poll, person_id=person.person_id)
    except IntegrityError:  # the same person twice at the same instant
        raise _already() from None
    return signed


def check_answers(poll: Poll, positions: list[Any], text: str = "") -> tuple[list[int], str]:
    """The chosen answers' positions, sorted, if the poll allows them, and the free text."""
    try:
        chosen = sorted({int(p) for p in positions or []})
    except (TypeError, ValueError):
        chosen = []
    known = set(Option.objects.filter(poll=poll).values_list("position", flat=True))
    if not chosen or len(chosen) != len(positions or []) or not set(chosen) <= known:
        raise ConsultationsError(ConsultationsCode.BAD_CHOICE,
                                 _("Choose answers of this poll, each once."), field="choices")
    limit = 1 if poll.choice == Choice.SINGLE else poll.max_choices
    if len(chosen) > limit:
        raise ConsultationsError(ConsultationsCode.BAD_CHOICE,
                                 _("Choose at most %(n)s answers.") % {"n": limit},
                                 field="choices")
    text = str(text or "").strip()
    if text and not poll.free_text:
        raise ConsultationsError(ConsultationsCode.BAD_CHOICE,
                                 _("This poll takes no free-text answer."), field="text")
    if len(text) > TEXT_LIMIT:
        raise ConsultationsError(ConsultationsCode.BAD_CHOICE,
                                 _("At most %(n)s characters.") % {"n": TEXT_LIMIT},
                                 field="text")
    return chosen, text


def cast(poll: Poll, group: str, token: bytes, signature: bytes, positions: list[Any],
         text: str = "") -> PollBallot:
    """Count one ballot (no sign-in: the token is the right to vote). Refused when the poll
    is not open, the token is not signed by the poll's key, or was used before."""
    if not is_running(poll):
        raise _closed()
    key = PollKey.objects.filter(poll=poll, group=str(group or "")[:64]).first()
    if key is None or not ballots.token_valid(key.public_key, token, signature):
        raise ConsultationsError(ConsultationsCode.BAD_TOKEN,
                                 _("This voting token was not issued by the city for this "
                                   "poll."), field="token")
    chosen, free = check_answers(poll, positions, text)
    return _record(poll, key.group, token, signature, chosen, free)


def _record(poll: Poll, group: str, token: bytes, signature: bytes, chosen: list[int],
            text: str) -> PollBallot:
    """The checked ballot into the ledger, the ballots and the counts, in one transaction."""
    token_text, receipt = ballots.b64(token), ballots.receipt(token)
    used = ConsultationsError(ConsultationsCode.TOKEN_USED,
                              _("A ballot with this token has already been counted."),
                              field="token")
    data: dict[str, Any] = {"poll": poll.pk, "group": group, "token": token_text,
                            "signature": ballots.b64(signature), "receipt": receipt,
                            "choices": chosen}
    if text:
        # The text itself may say who wrote it: the ledger keeps only its commitment.
        data["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    try:
        with transaction.atomic():
            if PollBallot.objects.filter(token=token_text).exists():
                raise used
            entry = append(BALLOT_KIND, data)
            ballot = PollBallot.objects.create(
                poll=poll, group=group, token=token_text, receipt=receipt, choices=chosen,
                text=text, ledger_index=entry.index)
            Option.objects.filter(poll=poll, position__in=chosen).update(votes=F("votes") + 1)
            Poll.objects.filter(pk=poll.pk).update(ballots_count=F("ballots_count") + 1)
            bus.publish(BallotCast(poll_id=poll.pk, group=group))
    except IntegrityError:
        raise used from None
    return ballot


def vote_here(user: Any, level: str | None, poll: Poll, positions: list[Any],
              text: str = "") -> PollBallot:
    """The pages' voting client: checks, then token, blinding, signing, unblinding and the
    cast in one transaction (a refusal anywhere leaves no "has voted" mark)."""
    person, key = check_voter(user, level, poll)
    chosen, free = check_answers(poll, positions, text)
    with transaction.atomic():
        token, signature = ballots.sign_here(
            key.public_key, lambda blinded: _sign_once(poll, person, key, blinded))
        return _record(poll, key.group, token, signature, chosen, free)


def has_voted(user: Any, poll: Poll) -> bool:
    from misto.residents.civic import standing

    person = standing(user)
    return person is not None and Participant.objects.filter(
        poll=poll, person_id=person.person_id).exists()


def find_ballot(receipt: str) -> PollBallot | None:
    text = ballots.normal_receipt(receipt)
    if text is None:
        return None
    return PollBallot.objects.select_related("poll").filter(receipt=text).first()
