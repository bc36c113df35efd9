"""The device registry's actions (see misto.core.permissions).

Public devices and their readings are open data; the registry (private devices,
credentials, maintenance, rules, integrations) is for the IT administrators, and the
dispatchers who watch devices read it.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

DEVICE_VIEW = declare("iot.device.view", _("See the device registry and private devices"),
                      roles={"it_admin", "dispatcher", "auditor"})
DEVICE_ADMIN = declare("iot.device.admin",
                       _("Register devices, models, rules and integrations"),
                       roles={"it_admin"})
DEADLETTER_VIEW = declare("iot.deadletter.view", _("Read refused device messages"),
                          roles={"it_admin", "dispatcher", "auditor"})
DEADLETTER_ADMIN = declare("iot.deadletter.admin", _("Delete refused device messages"),
                           roles={"it_admin"})
