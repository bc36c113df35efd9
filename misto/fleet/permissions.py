"""The fleet module's actions (see misto.core.permissions).

The situational centre's dispatchers watch the municipal vehicles and approve the waybills;
field staff (operators) fill the waybills of the vehicles they drive; the IT administrator
registers vehicles and issues their trackers' keys. Nothing here is public.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

VEHICLE_VIEW = declare("fleet.vehicle.view",
                       _("See the municipal vehicles on the dispatch map, their trips and fuel"),
                       roles={"dispatcher", "operator", "it_admin", "auditor"})
VEHICLE_MANAGE = declare("fleet.vehicle.manage",
                         _("Register municipal vehicles and their trackers' keys"),
                         roles={"it_admin"})
WAYBILL_FILL = declare("fleet.waybill.fill",
                       _("Fill a municipal vehicle's waybill from its GPS and fuel data"),
                       roles={"dispatcher", "operator"})
WAYBILL_APPROVE = declare("fleet.waybill.approve",
                          _("Approve a waybill (never one's own as its driver)"),
                          roles={"dispatcher"})
