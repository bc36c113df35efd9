"""The ledger's actions (see misto.core.permissions). Reading the ledger is public."""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

HEAD_ISSUE = declare("ledger.head.issue", _("Sign a tree head now"), roles={"it_admin"})
