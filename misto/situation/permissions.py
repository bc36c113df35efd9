"""The situational centre's actions (see misto.core.permissions).

Dispatchers act; clerks, contact-centre operators and auditors watch. Field crews work on
the incidents assigned to their crew through crew membership, not a role.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

INCIDENT_VIEW = declare("situation.incident.view",
                        _("Open the situational centre and its dashboards"),
                        roles={"dispatcher", "clerk", "operator", "auditor"})
INCIDENT_DISPATCH = declare("situation.incident.dispatch",
                            _("Assign incidents and move them on"), roles={"dispatcher"})
EMERGENCY_DECLARE = declare("situation.emergency.declare", _("Declare an emergency"),
                            roles={"dispatcher"})
EMERGENCY_END = declare("situation.emergency.end", _("End an emergency"),
                        roles={"dispatcher"})
CONFIG_VIEW = declare("situation.config.view", _("See incident kinds, rules and crews"),
                      roles={"dispatcher", "it_admin", "auditor"})
CONFIG_ADMIN = declare("situation.config.admin",
                       _("Configure incident kinds, correlation rules and crews"),
                       roles={"dispatcher", "it_admin"})
