"""The register's actions and who may do them by default (see misto.core.permissions).

Personal data is read by clerks and contact-centre operators within their district; only
clerks add people or approve corrections; residents act on their own record (owner).
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

PERSON_LIST = declare("residents.person.list", _("Open the register's staff look-up"),
                      roles={"clerk", "operator"})
PERSON_VIEW = declare("residents.person.view", _("See that a person is in the register"),
                      roles={"clerk", "operator"}, owner=True)
PERSON_VIEW_PERSONAL = declare("residents.person.view_personal",
                               _("Read a person's personal data"),
                               roles={"clerk", "operator"}, owner=True)
PERSON_CREATE = declare("residents.person.create", _("Add a person to the register"),
                        roles={"clerk"})
PERSON_EXPORT = declare("residents.person.export", _("Download one's own data"), owner=True)
PERSON_REQUEST_CORRECTION = declare("residents.person.request_correction",
                                    _("Ask for a correction of one's own record"), owner=True)
CORRECTION_APPROVE = declare("residents.correction.approve",
                             _("Approve or reject a correction request"), roles={"clerk"})
EXTRACT_CREATE = declare("residents.extract.create", _("Issue a register extract"),
                         roles={"clerk"}, owner=True)
ACCESS_LOG_AUDIT = declare("residents.access_log.audit",
                           _("Read the log of staff reads of personal data"),
                           roles={"auditor"})
BENEFIT_VIEW = declare("residents.benefit.view", _("See benefit categories"),
                       roles={"clerk", "it_admin", "auditor"})
BENEFIT_ADMIN = declare("residents.benefit.admin", _("Configure benefit categories"),
                        roles={"it_admin"})
