"""Parking's actions (see misto.core.permissions).

A resident starts, stops and books for themselves and asks for a permit for their own
district: that is ownership, not a staff permission. Staff read the statistics; IT sets
zones and tariffs.

Inspectors check plates in the street. There is no ``inspector`` role: the core's roles are
one closed list (``misto.core.permissions.ROLES``, the ``Role`` choices of every
``StaffAssignment`` and a column of the documented table), which a module cannot extend
without changing the core. So the check is granted to the ``operator`` role (staff who
answer the public, in the street or on the phone), and an *inspector* is an operator
assignment in the parking department (``MISTO_PARKING_DEPARTMENT``), for one district or
all: a zone carries that department and its district as its scope, so such an inspector
checks cars only in the zones of their district. IT appoints them on
``/parking/staff/inspectors/`` (``parking.inspector.manage``).
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
INSPECTOR_MANAGE = declare("parking.inspector.manage",
                           _("Appoint and remove parking inspectors (operators of the parking "
                             "department, per district)"),
                           roles={"it_admin"})
