"""Announcements' actions (see misto.core.permissions).

Clerks and dispatchers compose; a city-wide announcement needs a second person's approval
(the service refuses the composer as approver). Moderators moderate residents' content,
they do not speak for the city.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

COMPOSERS = {"clerk", "dispatcher"}

ANNOUNCEMENT_VIEW = declare("notifications.announcement.view",
                            _("See drafts and announcements awaiting approval"),
                            roles=COMPOSERS | {"auditor"})
ANNOUNCEMENT_CREATE = declare("notifications.announcement.create",
                              _("Compose announcements and outages"), roles=COMPOSERS)
ANNOUNCEMENT_CHANGE = declare("notifications.announcement.change",
                              _("Edit or withdraw announcements"), roles=COMPOSERS)
ANNOUNCEMENT_APPROVE = declare("notifications.announcement.approve",
                               _("Approve a city-wide announcement"),
                               roles=COMPOSERS)
