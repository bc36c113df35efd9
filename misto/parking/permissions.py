"""Parking's actions (see misto.core.permissions).

A resident starts, stops and books for themselves and asks for a permit for their own
district: that is ownership, not a staff permission. Inspectors (the operator role, who
work in the street) check a plate; staff read the statistics; IT sets zones and tariffs.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

ENFORCEMENT_CHECK = declare("parking.enforcement.check",
                            _("Check whether a car may park where it stands (inspectors)"),
                            roles={"operator"})
STATS_VIEW = declare("parking.stats.view", _("See parking statistics per zone and hour"),
                     roles={"clerk", "operator", "auditor"})
ZONE_ADMIN = declare("parking.zone.admin",
                     _("Set parking zones, lots, places and tariffs in the admin"),
                     roles={"it_admin"})
ZONE_VIEW = declare("parking.zone.view", _("See parking zones, lots and tariffs in the admin"),
                    roles={"it_admin", "auditor"})
