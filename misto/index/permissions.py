"""The index's actions (see misto.core.permissions).

A responsible department enters its indicators' values and planned values (an assignment
scoped to a department reaches only that department's indicators). The IT department (the
strategy's "TsUIT") imports the state registers' files, recomputes, and, like the clerks and
auditors, generates the yearly report for the council.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

VALUE_ENTER = declare("index.value.enter",
                      _("Enter an indicator's value with its source document"),
                      roles={"clerk"})
TARGET_SET = declare("index.target.set", _("Set an indicator's planned value for a year"),
                     roles={"clerk"})
VALUE_IMPORT = declare("index.value.import",
                       _("Import indicators' values from a state register's file"),
                       roles={"it_admin"})
REPORT_GENERATE = declare("index.report.generate",
                          _("Generate the yearly monitoring report"),
                          roles={"clerk", "auditor", "it_admin"})
COMPUTE = declare("index.value.compute", _("Recompute the computed indicators"),
                  roles={"it_admin"})
INDICATOR_ADMIN = declare("index.indicator.admin",
                          _("Add and change the city's own indicators"), roles={"it_admin"})
LEADERSHIP_VIEW = declare("index.leadership.view",
                          _("See the City Progress Index on the situational centre's "
                            "dashboard"), roles={"clerk", "auditor", "it_admin"})
