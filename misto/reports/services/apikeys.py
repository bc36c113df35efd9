"""Open311 API keys: issued once to an app (only a hash is stored) and checked on every post.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.registry import RegisteredApp
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import (
    ApiKey,
)

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(name: str, organisation: str = "") -> tuple[ApiKey, str]:
    """A new Open311 key for an app (of a partner ``organisation``, by its directory code);
    the key itself is returned once and never stored."""
    name, organisation = name.strip(), organisation.strip()
    if not name:
        raise ReportError(ReportsCode.BAD_REQUEST, _("Name the application the key is for."))
    if organisation and not SLUG.fullmatch(organisation):
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "An organisation is named by its code in the city directory (Latin letters, "
            "digits and hyphens)."))
    key = secrets.token_urlsafe(32)
    row = ApiKey.objects.create(name=name[:200], organisation=organisation,
                                key_hash=_hash_key(key), prefix=key[:8])
    return row, key


def registered_apps(organisation: str) -> list[RegisteredApp]:
    """The partner's active Open311 apps (``MistoModule.registered_apps``)."""
    names = ApiKey.objects.filter(organisation=organisation, active=True).values_list(
        "name", flat=True)
    return [RegisteredApp(name, "Open311 GeoReport v2") for name in names]


def check_api_key(key: str | None) -> ApiKey:
    if not key:
        raise ReportError(ReportsCode.MISSING_KEY, _(
            "api_key is required to post a request; ask the city for a key."), status=403)
    row = ApiKey.objects.filter(key_hash=_hash_key(key.strip()), active=True).first()
    if row is None:
        raise ReportError(ReportsCode.BAD_KEY, _("The api_key is not valid."), status=403)
    ApiKey.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row
