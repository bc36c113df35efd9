"""The consultations module's services, one file per concept (see docs/consultations.md)."""

from misto.consultations.services.common import access, check_resident, is_running
from misto.consultations.services.counting import (
    Results,
    k_threshold,
    ledger_ballots,
    recount,
    results,
    results_public,
)
from misto.consultations.services.hearings import (
    access_comment,
    close_due_hearings,
    close_hearing,
    comment,
    create_hearing,
    hide_comment,
    publish_hearing,
    publish_report,
    thread,
)
from misto.consultations.services.polls import (
    RESULT_KIND,
    CheckedPoll,
    check_poll,
    close_due,
    do_close,
    do_create_poll,
    do_publish,
    visible_polls,
)
from misto.consultations.services.voting import (
    BALLOT_KIND,
    IssuedToken,
    cast,
    check_answers,
    check_voter,
    find_ballot,
    has_voted,
    issue_token,
    unb64,
    vote_here,
)

__all__ = [
    "BALLOT_KIND", "RESULT_KIND", "CheckedPoll", "IssuedToken", "Results", "access",
    "access_comment", "cast", "check_answers", "check_poll", "check_resident", "check_voter",
    "close_due", "close_due_hearings", "close_hearing", "comment", "create_hearing", "do_close",
    "do_create_poll",
    "do_publish", "find_ballot", "has_voted", "hide_comment", "is_running", "issue_token",
    "k_threshold", "ledger_ballots", "publish_hearing", "publish_report", "recount",
    "results", "results_public", "thread", "unb64", "visible_polls", "vote_here",
]
