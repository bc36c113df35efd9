"""Petitions' actions (see misto.core.permissions).

Moderators check drafts against the published rules and open or reject them; clerks of the
responsible department publish the official answer; annulling signatures (a court decision,
proven forgery) is the moderator's act with its reason, ledgered. Residents act on their own
petitions and signatures, which is not a staff permission but eligibility (``services``).
"""

from django.utils.translation import gettext_lazy as _

from misto.core.permissions import declare

PETITION_VIEW = declare("petitions.petition.view",
                        _("See petitions under moderation and their signing activity"),
                        roles={"moderator", "clerk", "auditor"}, owner=True)
PETITION_MODERATE = declare("petitions.petition.moderate",
                            _("Open or reject a petition under moderation"),
                            roles={"moderator"})
PETITION_ANSWER = declare("petitions.petition.answer",
                          _("Publish the official answer to a petition"), roles={"clerk"})
SIGNATURE_ANNUL = declare("petitions.signature.annul",
                          _("Annul signatures with a stated reason (ledgered)"),
                          roles={"moderator"})
RULES_ADMIN = declare("petitions.rules.admin",
                      _("Set the city's petition rules and moderation rules"),
                      roles={"it_admin"})
RULES_VIEW = declare("petitions.rules.view", _("See the petition rules in the admin"),
                     roles={"it_admin", "moderator", "auditor"})
