"""The directory's actions (see misto.core.permissions).

An entry is kept by the department named on its organisation: a clerk of that department
edits its units, hours, closures and contacts and handles the corrections residents send
about them; auditors read the correction queue; the IT administrator imports HSDS files
(which may touch every department's entries) and keeps the organisations, places
and e-services in the admin. A partner's API key (issued by the clerk of the department
that keeps the partner) lets the partner's system change its own places' hours and
closures, and nothing else. Reading the directory is public.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

ENTRY_EDIT = declare("directory.entry.edit",
                     _("Edit directory entries of the department: hours, closures, contacts"),
                     roles={"clerk", "it_admin"})
CORRECTION_VIEW = declare("directory.correction.view",
                          _("Read residents' corrections to directory entries"),
                          roles={"clerk", "it_admin", "auditor"})
HSDS_IMPORT = declare("directory.hsds.import",
                      _("Import the directory from an Open Referral HSDS file"),
                      roles={"it_admin"})
CATALOGUE_ADMIN = declare("directory.catalogue.admin",
                          _("Keep the directory's organisations, places and e-services in the "
                            "admin"), roles={"it_admin"})
API_CLIENTS = declare("directory.apiclient.manage",
                      _("Issue and revoke partners' API keys for their own places"),
                      roles={"clerk", "it_admin"})
