"""Reports' actions (see misto.core.permissions).

Clerks handle the reports of their department (and district, when their assignment names
one); dispatchers handle every report; contact-centre operators take calls; moderators
hide or publish what the public sees.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

REPORT_VIEW = declare("reports.report.view",
                      _("See a report's private details and staff-only photos"),
                      roles={"clerk", "operator", "dispatcher", "moderator", "auditor"},
                      owner=True)
REPORT_CREATE = declare("reports.report.create", _("Take a report by phone"),
                        roles={"clerk", "operator", "dispatcher"})
REPORT_CHANGE = declare("reports.report.change",
                        _("Handle a report: accept, assign, progress, resolve, reject"),
                        roles={"clerk", "dispatcher"})
REPORT_MODERATE = declare("reports.report.moderate", _("Hide or publish a report's text"),
                          roles={"moderator"})
CATEGORY_VIEW = declare("reports.category.view", _("See departments and categories"),
                        roles={"clerk", "operator", "dispatcher", "it_admin", "auditor"})
CATEGORY_ADMIN = declare("reports.category.admin",
                         _("Configure departments, categories and routing"),
                         roles={"it_admin"})
APIKEY_VIEW = declare("reports.apikey.view", _("See Open311 API keys"),
                      roles={"it_admin", "auditor"})
APIKEY_ADMIN = declare("reports.apikey.admin", _("Issue and revoke Open311 API keys"),
                       roles={"it_admin"})
