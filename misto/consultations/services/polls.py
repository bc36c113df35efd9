"""Polls: created by an organiser as a draft with their answers and rules, published (one
blind-signing key per district, or one for the whole poll), closed with the counts in the
ledger. A poll only moves forward: draft -> open -> closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.consultations.errors import ConsultationsCode, ConsultationsError
from misto.consultations.events import PollClosed, PollOpened
from misto.consultations.models import Choice, Effect, Hearing, Option, Poll, PollKey, State
from misto.consultations.services.common import (
    check_dates,
    check_districts,
    organiser_department,
)
from misto.core import ballots, bus
from misto.core.config import env_int
from misto.ledger import append

RESULT_KIND = "consultations.result"


def key_bits() -> int:
    """RSA key size of a poll's signing keys (the tests use smaller ones for speed)."""
    return env_int("MISTO_CONSULTATIONS_KEY_BITS", 2048, minimum=1024)


@dataclass(frozen=True)
class CheckedPoll:
    title_uk: str
    title_en: str
    summary_uk: str
    summary_en: str
    options: list[tuple[str, str]]
    choice: str
    max_choices: int
    closes_at: datetime
    opens_at: datetime | None
    districts: list[str]
    rules: dict[str, Any]


def _text(value: Any, field: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ConsultationsError(ConsultationsCode.INVALID, _("This field is required."),
                                 field=field)
    if len(text) > limit:
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("At most %(n)s characters.") % {"n": limit}, field=field)
    return text


def check_poll(title_uk: str, title_en: str, options: list[tuple[str, str]], *,
               closes_at: datetime, opens_at: datetime | None = None, summary_uk: str = "",
               summary_en: str = "", choice: str = Choice.SINGLE, max_choices: int = 1,
               districts: list[str] | None = None, district_only: bool = False,
               min_age: int = 14, register_verified_only: bool = True, free_text: bool = False,
               effect: str = Effect.ADVISORY, live_results: bool = False,
               by_district: bool = False, hearing: Hearing | None = None) -> CheckedPoll:
    """A poll's fields, validated; nothing is written."""
    answers = [(_text(uk, "options", 200), _text(en, "options", 200, required=False))
               for uk, en in options or []]
    if not 2 <= len(answers) <= 20:
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("A poll needs from 2 to 20 answers."), field="options")
    if choice not in Choice.values or effect not in Effect.values:
        raise ConsultationsError(ConsultationsCode.INVALID, _("Unknown kind of poll."),
                                 field="choice")
    limit = 1 if choice == Choice.SINGLE else max_choices
    if not 1 <= limit <= len(answers):
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("The number of answers a voter may choose must be between 1 "
                                   "and the number of answers."), field="max_choices")
    if not 0 <= min_age <= 120:
        raise ConsultationsError(ConsultationsCode.INVALID, _("The age is out of range."),
                                 field="min_age")
    check_dates(opens_at, closes_at)
    chosen = check_districts(districts or [])
    if (district_only or by_district) and not chosen:
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("Name the districts concerned."), field="districts")
    return CheckedPoll(
        _text(title_uk, "title_uk", 200), _text(title_en, "title_en", 200, required=False),
        _text(summary_uk, "summary_uk", 5000, required=False),
        _text(summary_en, "summary_en", 5000, required=False), answers, choice, limit,
        closes_at, opens_at, chosen,
        {"district_only": district_only or by_district, "min_age": min_age,
         "register_verified_only": register_verified_only, "free_text": free_text,
         "effect": effect, "live_results": live_results, "by_district": by_district,
         "hearing": hearing})


def do_create_poll(organiser: Any, checked: CheckedPoll, department: str = "") -> Poll:
    with transaction.atomic():
        poll = Poll.objects.create(
            title_uk=checked.title_uk, title_en=checked.title_en,
            summary_uk=checked.summary_uk, summary_en=checked.summary_en,
            organiser=organiser if getattr(organiser, "pk", None) else None,
            department=department or organiser_department(organiser),
            districts=checked.districts, opens_at=checked.opens_at,
            closes_at=checked.closes_at, choice=checked.choice,
            max_choices=checked.max_choices, **checked.rules)
        Option.objects.bulk_create([
            Option(poll=poll, position=index, text_uk=uk, text_en=en)
            for index, (uk, en) in enumerate(checked.options, start=1)])
    return poll


def _wrong_state(poll: Poll) -> ConsultationsError:
    return ConsultationsError(ConsultationsCode.WRONG_STATE,
                              _("The poll is %(state)s; it cannot do that now.")
                              % {"state": poll.get_state_display()})


def do_publish(poll: Poll) -> Poll:
    """Open the poll: its signing keys are made and published, its districts told."""
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.state != State.DRAFT:
            raise _wrong_state(locked)
        if locked.closes_at <= timezone.now():
            raise ConsultationsError(ConsultationsCode.INVALID,
                                     _("The poll's closing time has passed."),
                                     field="closes_at")
        for group in (locked.districts if locked.by_district else [""]):
            public, private = ballots.new_keypair(key_bits())
            PollKey.objects.create(poll=locked, group=group, public_key=public,
                                   private_key=private)
        locked.state = State.OPEN
        locked.opens_at = locked.opens_at or timezone.now()
        locked.save(update_fields=["state", "opens_at"])
        bus.publish(PollOpened(
            poll_id=locked.pk, title_uk=locked.title_uk, title_en=locked.title_en,
            districts=tuple(locked.districts), closes_at=locked.closes_at.isoformat(),
            binding=locked.effect == Effect.BINDING,
            url=reverse("consultations:poll", args=[locked.pk])))
    return locked


def do_close(poll: Poll) -> Poll:
    """Close the poll (its time is up, or the organiser ends it early); the counts shown go
    to the ledger, where anyone compares them with the recount."""
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.state != State.OPEN:
            raise _wrong_state(locked)
        locked.state = State.CLOSED
        locked.closes_at = min(locked.closes_at, timezone.now())
        locked.save(update_fields=["state", "closes_at"])
        append(RESULT_KIND, {
            "poll": locked.pk, "ballots": locked.ballots_count,
            "votes": {str(o.position): o.votes for o in locked.options.all()}})
        bus.publish(PollClosed(poll_id=locked.pk, ballots=locked.ballots_count))
    return locked


def close_due(now: datetime | None = None) -> int:
    """Close every open poll whose time is up (the scheduler's task); how many closed."""
    due = Poll.objects.filter(state=State.OPEN, closes_at__lte=now or timezone.now())
    closed = 0
    for poll in due:
        try:
            do_close(poll)
        except ConsultationsError:
            continue  # closed by someone else meanwhile
        closed += 1
    return closed


def visible_polls(user: Any) -> list[Poll]:
    from misto.core.permissions import can

    rows = Poll.objects.prefetch_related("options")
    if not can(user, "consultations.poll.manage"):
        rows = rows.exclude(state=State.DRAFT)
    return list(rows)
