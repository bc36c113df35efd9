"""The transit module's actions (see misto.core.permissions).

Riding, the live map, the stop boards, the feeds and the accuracy page are public. The
situational centre's dispatchers watch the network and announce service alerts; the IT
administrator imports timetables (GTFS) and registers the vehicles' trackers.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

DISPATCH_VIEW = declare("transit.dispatch.view",
                        _("See the transport dispatch board: delays, loads, silent vehicles"),
                        roles={"dispatcher", "it_admin", "auditor"})
ALERT_MANAGE = declare("transit.alert.manage",
                       _("Announce and end public-transport service alerts"),
                       roles={"dispatcher"})
FEED_IMPORT = declare("transit.feed.import",
                      _("Import a GTFS timetable (replaces the current one)"),
                      roles={"it_admin"})
VEHICLE_MANAGE = declare("transit.vehicle.manage",
                         _("Register transport vehicles, their trackers' keys and the "
                           "devices on board"),
                         roles={"it_admin"})
