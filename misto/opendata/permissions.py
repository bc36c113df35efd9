"""Open data's actions (see misto.core.permissions).

Reading the catalogue is public. Describing a dataset (its description, contact, coverage)
and withdrawing one (the record stays, with the reason) are the portal administrator's.
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

DATASET_DESCRIBE = declare("opendata.dataset.describe",
                           _("Describe an open dataset (description, contact, coverage)"),
                           roles={"it_admin"})
DATASET_WITHDRAW = declare("opendata.dataset.withdraw",
                           _("Withdraw an open dataset or publish it again, with the reason"),
                           roles={"it_admin"})
