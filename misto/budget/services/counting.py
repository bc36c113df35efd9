"""Counting: the counts shown, and a recount anyone can repeat from the public ledger and
the published keys (each ballot's token signature checked, each token counted once); the
results as a Pabulib file (the research standard for participatory-budgeting data)."""

from __future__ import annotations

from collections import Counter

from misto.budget.models import ON_BALLOT, Ballot, DistrictBudget, Method, Project, Round
from misto.budget.services.rounds import CITY, select_winners
from misto.budget.services.voting import BALLOT_KIND
from misto.core import ballots
from misto.ledger.reading import entries


def recount(found: Round) -> ballots.Recount[str]:
    """Replay the round's ballots from the ledger. The district keys are public (the API
    publishes them), so this is the same computation anyone can make."""
    keys = dict(DistrictBudget.objects.filter(round=found)
                .values_list("district", "public_key"))
    projects = {p.number: p for p in Project.objects.filter(round=found)}
    tally: Counter[str] = Counter()
    shown = Round.objects.values_list("ballots_count", flat=True).get(pk=found.pk)
    result: ballots.Recount[str] = ballots.Recount(ballots_shown=shown)
    replayed = ballots.replay(((record.index, record.data) for record in
                               entries(BALLOT_KIND, where={"round": found.number})), keys)
    result.forged, result.reused = replayed.forged, replayed.reused
    for index, data in replayed.counted:
        choices = [str(n) for n in data.get("choices") or []]
        if any(n not in projects or projects[n].district not in (data["district"], CITY)
               for n in choices) or len(set(choices)) != len(choices):
            result.invalid.append(index)
            continue
        result.ballots_ledger += 1
        tally.update(choices)
    result.counts = [(number, tally[number], project.votes)
                       for number, project in sorted(projects.items())
                       if project.status in ON_BALLOT or project.votes or tally[number]]
    return result


def pabulib(found: Round, district: str) -> str:
    """One pool of the round (a district, or ``CITY``) as a Pabulib .pb file; voters are
    known by their receipts only."""
    pool = next((p for p in select_winners(found) if p.district == district), None)
    projects = pool.projects if pool else []
    winners = {p.number for p in found.projects.filter(status="winner", district=district)}
    ballots = Ballot.objects.filter(round=found).order_by("receipt")
    chosen = {p.number for p in projects}
    votes = [(b.receipt, [n for n in b.choices if n in chosen]) for b in ballots]
    votes = [(receipt, numbers) for receipt, numbers in votes if numbers]
    limit = found.max_choices if found.method == Method.APPROVAL else len(projects)
    lines = ["META", "key;value",
             f"description;Misto participatory budget {found.number}"
             f" ({district or 'city-wide'})",
             "country;Ukraine", f"unit;{district or 'city'}", f"instance;{found.number}",
             f"num_projects;{len(projects)}", f"num_votes;{len(votes)}",
             f"budget;{pool.amount if pool else 0}",
             "vote_type;approval",
             "rule;greedy", "min_length;1",
             f"max_length;{limit}",
             "PROJECTS", "project_id;cost;votes;name;selected"]
    for project in projects:
        name = project.title.replace(";", ",").replace("\n", " ")
        lines.append(f"{project.number};{project.cost};{project.votes};{name};"
                     f"{1 if project.number in winners else 0}")
    lines += ["VOTES", "voter_id;vote"]
    lines += [f"{receipt};{','.join(numbers)}" for receipt, numbers in votes]
    return "\n".join(lines) + "\n"
