"""The e-reception's actions (see misto.core.permissions).

Clerks handle the appeals of their department's receptions (assign, ask for information,
extend, answer); contact-centre operators and clerks register phone and paper appeals;
auditors read everything, and the statistics. A resident's own appeals are theirs by
ownership, not by a role.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

APPEAL_VIEW = declare("appeals.appeal.view", _("Read appeals and their correspondence"),
                      roles={"clerk", "auditor"}, owner=True)
APPEAL_HANDLE = declare("appeals.appeal.handle",
                        _("Handle an appeal: assign, ask for information, extend, answer"),
                        roles={"clerk"})
APPEAL_REGISTER = declare("appeals.appeal.register",
                          _("Register an appeal received by phone or on paper"),
                          roles={"operator", "clerk"})
STATS_VIEW = declare("appeals.stats.view", _("See the receptions' statistics"),
                     roles={"clerk", "auditor", "dispatcher"})
RECEPTION_ADMIN = declare("appeals.reception.admin", _("Keep the directory of receptions"),
                          roles={"it_admin"})
RECEPTION_VIEW = declare("appeals.reception.view", _("See the receptions in the admin"),
                         roles={"it_admin", "auditor"})
