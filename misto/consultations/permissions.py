"""The consultations module's actions (see misto.core.permissions).

Organisers (clerks) create, publish and close polls and hearings and publish a hearing's
report; moderators hide a comment with a cited rule. Voting and commenting are not staff
permissions but eligibility, decided by the register (``misto.residents.civic``).
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

POLL_MANAGE = declare("consultations.poll.manage",
                      _("Create, publish and close polls"), roles={"clerk"})
HEARING_MANAGE = declare("consultations.hearing.manage",
                         _("Create, publish and close public consultations and publish their "
                           "reports"), roles={"clerk"})
COMMENT_MODERATE = declare("consultations.comment.moderate",
                           _("Hide a consultation comment, citing the rule it breaks"),
                           roles={"clerk", "moderator"})
