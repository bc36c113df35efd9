"""Partners' API clients: a key issued once to a partner's system (only its SHA-256 is
stored), with which that system changes its own places' hours and closures, and nothing
else. The clerk of the department that keeps the partner issues and revokes keys
(``directory.apiclient.manage``)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.permissions import can, scope_filter
from misto.core.registry import RegisteredApp
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.models import ApiClient, Organisation, Unit

MANAGE = "directory.apiclient.manage"
KEY_PREFIX = "mdk_"  # "misto directory key": a leaked key is recognisable in a scan


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def access_partner(user: Any, slug: str) -> Organisation:
    """A partner organisation ``user`` may issue keys for (404 for one that is not a
    partner and for one the user does not keep: the same answer)."""
    organisation = Organisation.objects.filter(slug=slug).exclude(partner_role="").first()
    if organisation is None or not can(user, MANAGE, organisation):
        if organisation is not None and can(user, MANAGE):
            raise PermissionDenied(MANAGE)  # staff who manage keys, another department's
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such partner."))
    return organisation


def managed_partners(user: Any) -> QuerySet[Organisation]:
    """The partners whose keys ``user`` may manage (their departments'; all when unbound)."""
    rows = (Organisation.objects.exclude(partner_role="").prefetch_related("api_clients")
            .order_by("name_uk"))
    scopes = scope_filter(user, MANAGE)
    if scopes is None:
        return rows
    departments = {department for department, _district in scopes}
    if "" in departments:
        return rows
    return rows.filter(department__in=departments)


def check_client_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DirectoryError(DirectoryCode.INVALID,
                             _("Name the application the key is for."), field="name")
    return name[:200]


def issue(organisation: Organisation, name: str, user: Any = None) -> tuple[ApiClient, str]:
    """A new key for the partner's application; the key is returned once, never stored."""
    name = check_client_name(name)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiClient.objects.create(organisation=organisation, name=name, key_hash=_hash(key),
                                   prefix=key[:8], created_by=user)
    return row, key


def access_client(user: Any, client_id: int) -> ApiClient:
    row = ApiClient.objects.select_related("organisation").filter(pk=client_id).first()
    if row is None or not can(user, MANAGE, row):
        if row is not None and can(user, MANAGE):
            raise PermissionDenied(MANAGE)
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such API client."))
    return row


def revoke(client: ApiClient) -> ApiClient:
    with transaction.atomic():
        client.active = False
        client.save(update_fields=["active"])
    return client


def client_for_key(key: str) -> ApiClient | None:
    """The active client holding ``key`` (its use is recorded), else None."""
    if not key or len(key) > 200:
        return None
    row = (ApiClient.objects.select_related("organisation")
           .filter(key_hash=_hash(key.strip()), active=True).first())
    if row is not None:
        ApiClient.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row


def partner_units(client: ApiClient) -> QuerySet[Unit]:
    return client.organisation.units.select_related("organisation").order_by("name_uk")


def access_own_unit(client: ApiClient, slug: str) -> Unit:
    """One of the client's partner's units; any other unit is "not found" (the same answer
    whether it exists or not)."""
    unit = partner_units(client).filter(slug=slug).first()
    if unit is None:
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such place."))
    return unit


def registered_apps(organisation: str) -> list[RegisteredApp]:
    """The partner's active directory clients (``MistoModule.registered_apps``)."""
    names = ApiClient.objects.filter(organisation__slug=organisation, active=True).values_list(
        "name", flat=True)
    return [RegisteredApp(name, "Misto directory API") for name in names]
