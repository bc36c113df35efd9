"""Counting: the results shown (after the poll closes, or live if the poll says so), the
per-district breakdown only where a district has enough ballots, and a recount anyone can
repeat from the public ledger and the published keys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from misto.consultations.models import Option, Poll, PollBallot, PollKey, State
from misto.consultations.services.voting import BALLOT_KIND
from misto.core import ballots
from misto.core.config import env_int
from misto.ledger.reading import entries


def k_threshold() -> int:
    """The fewest ballots a district needs before its breakdown is shown (k-anonymity)."""
    return env_int("MISTO_CONSULTATIONS_MIN_GROUP", 10, minimum=1)


def results_public(poll: Poll) -> bool:
    return poll.state in (State.CLOSED, State.REPORTED) or (
        poll.state == State.OPEN and poll.live_results)


@dataclass(frozen=True)
class Line:
    option: Option
    votes: int
    share: float  # % of the ballots


@dataclass(frozen=True)
class Results:
    ballots: int
    lines: list[Line]
    # district -> (ballots, [votes per option in order]); only districts with enough ballots
    districts: dict[str, tuple[int, list[int]]]
    withheld: int  # districts below the threshold, merged into the total only


def results(poll: Poll) -> Results:
    options = list(poll.options.all())
    total = Poll.objects.values_list("ballots_count", flat=True).get(pk=poll.pk)
    lines = [Line(o, o.votes, 100.0 * o.votes / total if total else 0.0) for o in options]
    districts: dict[str, tuple[int, list[int]]] = {}
    withheld = 0
    if poll.by_district:
        by_group: dict[str, Counter[int]] = {}
        sizes: Counter[str] = Counter()
        for group, chosen in PollBallot.objects.filter(poll=poll).values_list("group",
                                                                              "choices"):
            sizes[group] += 1
            by_group.setdefault(group, Counter()).update(chosen)
        for group in sorted(sizes):
            if sizes[group] >= k_threshold():
                districts[group] = (sizes[group],
                                    [by_group[group][o.position] for o in options])
            else:
                withheld += 1
    return Results(total, lines, districts, withheld)


def ledger_ballots(poll: Poll) -> list[tuple[int, dict[str, Any]]]:
    return [(record.index, record.data)
            for record in entries(BALLOT_KIND, where={"poll": poll.pk})]


def recount(poll: Poll) -> ballots.Recount[int]:
    """Replay the poll's ballots from the ledger with its published keys: the same
    computation anyone can make."""
    keys = dict(PollKey.objects.filter(poll=poll).values_list("group", "public_key"))
    options = list(poll.options.all())
    positions = {o.position for o in options}
    limit = poll.max_choices
    replayed = ballots.replay(ledger_ballots(poll), keys, group="group")
    tally: Counter[int] = Counter()
    shown = Poll.objects.values_list("ballots_count", flat=True).get(pk=poll.pk)
    result: ballots.Recount[int] = ballots.Recount(ballots_shown=shown, forged=replayed.forged,
                                                   reused=replayed.reused)
    for index, data in replayed.counted:
        chosen = data.get("choices") or []
        if (not chosen or not all(isinstance(n, int) and n in positions for n in chosen)
                or len(set(chosen)) != len(chosen) or len(chosen) > limit):
            result.invalid.append(index)
            continue
        result.ballots_ledger += 1
        tally.update(chosen)
    result.counts = [(o.position, tally[o.position], o.votes) for o in options]
    return result
