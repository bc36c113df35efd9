"""What an OpenID Connect provider is to Misto, and the demo provider's entry in the list.

Kept apart from :mod:`~misto.residents.identity` (the sign-in) and
:mod:`~misto.residents.demo_idp` (the demo provider's process, which serves the people of
:mod:`~misto.residents.demo`), so that each of them imports this file and none imports the
others back: the sign-in lists the demo provider and ``misto demo`` prints how to use it
without either reaching the process or the demo data.

The demo client secret is public on purpose: the provider holds invented people only. That
is also why production never lists it (:func:`demo_provider`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from misto.core.config import env_str

DEMO_NAME = "demo"
DEMO_CLIENT_ID = "misto-demo"
DEMO_CLIENT_SECRET = "misto-demo-secret-public-never-use-in-production"


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    title: str
    issuer: str
    client_id: str
    client_secret: str
    scope: str = "openid profile"
    rnokpp_claim: str = "rnokpp"
    birthdate_claim: str = "birthdate"


def demo_issuer() -> str:
    return env_str("MISTO_DEMO_IDP_URL").rstrip("/")


def demo_provider() -> ProviderConfig | None:
    """The demo provider's entry in the sign-in list; never in production."""
    if settings.PRODUCTION or not demo_issuer():
        return None
    return ProviderConfig(name=DEMO_NAME, title=str(_("Demo ID (DEMO, invented residents)")),
                          issuer=demo_issuer(), client_id=DEMO_CLIENT_ID,
                          client_secret=DEMO_CLIENT_SECRET, scope="openid profile rnokpp")
