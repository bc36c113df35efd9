"""The budget's actions (see misto.core.permissions).

Clerks review projects' feasibility with a reasoned conclusion; the IT department (for the
council's budget commission) moves a round through its phases and publishes the results.
Proposing and voting are not staff permissions but eligibility, decided by the register
(``services``); the ballot itself needs no sign-in at all (the token is the right to vote).
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

PROJECT_REVIEW = declare("budget.project.review",
                         _("Review budget projects' feasibility with a reasoned conclusion"),
                         roles={"clerk"})
ROUND_MANAGE = declare("budget.round.manage",
                       _("Move a budget round through its phases and publish the results"),
                       roles={"it_admin"})
PROJECT_IMPLEMENT = declare("budget.project.implement",
                            _("Record a winning project's implementation: stage, spending, "
                              "what was done"), roles={"clerk"})
