"""OpenID Connect sign-in (authlib), per provider, and matching to the register.

Providers come from ``settings.MISTO_OIDC_PROVIDERS`` (a dict, for tests and custom
settings) or from the environment (docs/configuration.md)::

    MISTO_OIDC_PROVIDERS=bankid,diia,city
    MISTO_OIDC_BANKID_ISSUER=https://id.bank.gov.ua/v1     # discovery at /.well-known/...
    MISTO_OIDC_BANKID_CLIENT_ID=...
    MISTO_OIDC_BANKID_CLIENT_SECRET=...
    MISTO_OIDC_BANKID_TITLE=BankID NBU                      # button label
    MISTO_OIDC_BANKID_SCOPE=openid profile                  # default "openid profile"
    MISTO_OIDC_BANKID_RNOKPP_CLAIM=inn                      # default "rnokpp"

Outside production the demo provider (:mod:`misto.residents.providers`, served by
:mod:`misto.residents.demo_idp`) is listed too.

A verified identity is matched to the register by its RNOKPP claim (blind index) and, when
the provider sends a birth date, that must agree too; the person's verification level is
raised to "verified by an identity provider". The provider's ``sub`` is stored only as a
keyed hash.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.config import env_list, env_str, structured
from misto.residents import rnokpp as rnokpp_rules
from misto.residents.crypto import blind_index
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.models import ExternalIdentity, Person, Verification
from misto.residents.providers import ProviderConfig, demo_provider
from misto.residents.services import (
    find_by_rnokpp,
    link_account,
    parse_date,
    raise_verification,
)


def providers() -> dict[str, ProviderConfig]:
    configured = structured("MISTO_OIDC_PROVIDERS")
    if configured is not None:
        return {name: ProviderConfig(name=name, **values) for name, values in configured.items()}
    found: dict[str, ProviderConfig] = {}
    for name in [n.lower() for n in env_list("MISTO_OIDC_PROVIDERS")]:
        prefix = f"MISTO_OIDC_{name.upper()}_"
        issuer = env_str(prefix + "ISSUER")
        if not issuer:
            continue
        found[name] = ProviderConfig(
            name=name, title=env_str(prefix + "TITLE", name), issuer=issuer,
            client_id=env_str(prefix + "CLIENT_ID", ""),
            client_secret=env_str(prefix + "CLIENT_SECRET", ""),
            scope=env_str(prefix + "SCOPE", "openid profile"),
            rnokpp_claim=env_str(prefix + "RNOKPP_CLAIM", "rnokpp"),
            birthdate_claim=env_str(prefix + "BIRTHDATE_CLAIM", "birthdate"),
        )
    demo = demo_provider()
    if demo is not None and demo.name not in found:
        found[demo.name] = demo
    return found


def client(config: ProviderConfig) -> Any:
    # authlib is imported when someone signs in, not by every process that sends a notice
    # (codes -> identity): it was a tenth of the start-up of each command and test child.
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()
    oauth.register(
        config.name, client_id=config.client_id, client_secret=config.client_secret,
        server_metadata_url=config.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": config.scope, "code_challenge_method": "S256"},
    )
    return oauth.create_client(config.name)


@dataclass(frozen=True)
class SignIn:
    user: Any
    person: Person | None
    matched: bool  # the identity was found in the register


def new_resident_user() -> Any:
    """A new resident account: no names or e-mail (they live encrypted in the register)."""
    user_model = get_user_model()
    user = user_model(username=f"resident-{secrets.token_hex(8)}")
    user.set_unusable_password()
    user.save()
    return user


def sign_in_with(config: ProviderConfig, claims: dict[str, Any]) -> SignIn:
    """The account for a verified identity, linked to its person in the register if any."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise ResidentsError(ResidentsCode.OIDC_NO_SUBJECT,
                             _("The identity provider sent no subject."))
    subject_index = blind_index(f"sub:{config.name}", subject)
    number = str(claims.get(config.rnokpp_claim) or "")
    person: Person | None = None
    if number:
        try:
            person = find_by_rnokpp(rnokpp_rules.validate(number))
        except rnokpp_rules.RnokppError:
            person = None
    born = claims.get(config.birthdate_claim)
    if person is not None and born:
        try:
            if parse_date(born).isoformat() != person.birth_date:
                person = None  # the same number with another birth date: do not link
        except ValueError:
            person = None
    with transaction.atomic():
        identity = (ExternalIdentity.objects.select_for_update()
                    .filter(provider=config.name, subject_index=subject_index)
                    .select_related("user").first())
        if identity is not None:
            user = identity.user
            identity.last_login_at = timezone.now()
            identity.save(update_fields=["last_login_at"])
        elif person is not None and person.user is not None:
            user = person.user
        else:
            user = new_resident_user()
        if identity is None:
            ExternalIdentity.objects.create(user=user, provider=config.name,
                                            subject_index=subject_index)
        if person is not None:
            basis = _("identity verified by %(provider)s") % {"provider": config.title}
            if person.user_id is None:
                if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
                    raise ResidentsError(ResidentsCode.IDENTITY_CONFLICT,
                                         _("This account is linked to another person."))
                link_account(person, user, basis=basis)
            elif person.user_id != user.pk:
                raise ResidentsError(ResidentsCode.IDENTITY_CONFLICT,
                                     _("This person is already linked to another account."))
            raise_verification(person, Verification.PROVIDER, by=user, basis=basis)
        else:
            person = Person.objects.filter(user=user).first()
    return SignIn(user=user, person=person, matched=person is not None)
