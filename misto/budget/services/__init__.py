"""The budget module's services, one file per concept (see docs/budget.md)."""

from misto.budget.services.access import (
    access_project,
    access_round,
    own_projects,
    review_queue,
    round_projects,
)
from misto.budget.services.counting import pabulib, recount
from misto.budget.services.photos import access_photo
from misto.budget.services.proposals import (
    CheckedProposal,
    answer_review,
    check_proposal,
    do_propose,
    record_progress,
    review,
)
from misto.budget.services.rounds import (
    CITY,
    RESULT_KIND,
    PoolResult,
    amount_for,
    create_round,
    do_set_phase,
    select_winners,
    voting_open,
)
from misto.budget.services.voting import (
    BALLOT_KIND,
    IssuedToken,
    b64,
    cast,
    check_choices,
    check_voter,
    find_ballot,
    issue_token,
    unb64,
    vote_here,
)

__all__ = [
    "BALLOT_KIND",
    "CITY",
    "RESULT_KIND",
    "CheckedProposal",
    "IssuedToken",
    "PoolResult",
    "access_photo",
    "access_project",
    "access_round",
    "amount_for",
    "answer_review",
    "b64",
    "cast",
    "check_choices",
    "check_proposal",
    "check_voter",
    "create_round",
    "do_propose",
    "do_set_phase",
    "find_ballot",
    "issue_token",
    "own_projects",
    "pabulib",
    "record_progress",
    "recount",
    "review",
    "review_queue",
    "round_projects",
    "select_winners",
    "unb64",
    "vote_here",
    "voting_open",
]
