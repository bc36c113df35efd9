"""The twin's actions and who may do them by default (see misto.core.permissions).

Feature edits are scoped by the layer's owner department: a clerk of the street-lighting
department edits the street-lighting layers, not another department's.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

ALL_STAFF = {"clerk", "operator", "dispatcher", "moderator", "it_admin", "auditor"}

LAYER_VIEW = declare("twin.layer.view", _("See staff-only layers and their features"),
                     roles=ALL_STAFF)
LAYER_ADMIN = declare("twin.layer.admin", _("Create and configure layers"), roles={"it_admin"})
FEATURE_CREATE = declare("twin.feature.create", _("Add features to a layer"),
                         roles={"clerk", "it_admin"})
FEATURE_CHANGE = declare("twin.feature.change", _("Edit or move a layer's features"),
                         roles={"clerk", "it_admin"})
FEATURE_DELETE = declare("twin.feature.delete", _("Retire a layer's features"),
                         roles={"clerk", "it_admin"})
LABEL_PRINT = declare("twin.label.print", _("Print landmark label sheets"),
                      roles={"clerk", "it_admin"})
SHELTER_STATUS = declare("twin.shelter.status",
                         _("Open and close a shelter (its keeper's department)"),
                         roles={"clerk", "it_admin"})
