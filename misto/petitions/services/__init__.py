"""The petitions module's services, one file per concept (see docs/petitions.md)."""

from misto.petitions.services.access import (
    access_by_number,
    access_own,
    access_petition,
    answer_queue,
    may_see,
    moderation_queue,
    own_petitions,
    public_petitions,
)
from misto.petitions.services.consideration import (
    answer,
    answer_deadline,
    archive_settled,
    close_expired,
    mark_overdue,
    recompute_deadlines,
)
from misto.petitions.services.counting import Recount, recount, signing_activity
from misto.petitions.services.drafting import (
    CheckedDraft,
    check_draft,
    do_create_draft,
    do_update_draft,
    submit,
)
from misto.petitions.services.moderation import open_petition, reject
from misto.petitions.services.rules import current_rules, published_rules
from misto.petitions.services.signing import (
    LEDGER_KIND,
    annul,
    check_signature,
    collecting,
    pseudonym,
    sign,
    withdraw,
)

__all__ = [
    "LEDGER_KIND",
    "CheckedDraft",
    "Recount",
    "access_by_number",
    "access_own",
    "access_petition",
    "annul",
    "answer",
    "answer_deadline",
    "answer_queue",
    "archive_settled",
    "check_draft",
    "check_signature",
    "close_expired",
    "collecting",
    "current_rules",
    "do_create_draft",
    "do_update_draft",
    "mark_overdue",
    "may_see",
    "moderation_queue",
    "open_petition",
    "own_petitions",
    "pseudonym",
    "public_petitions",
    "published_rules",
    "recompute_deadlines",
    "recount",
    "reject",
    "sign",
    "signing_activity",
    "submit",
    "withdraw",
]
