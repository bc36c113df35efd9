"""The demo OpenID Connect provider: configuration, its demo residents, and its process.

Outside production a fresh install lists "Demo ID" on the sign-in page with no
configuration (``MISTO_DEMO_IDP_URL`` defaults to ``http://127.0.0.1:8001``), and
``make run`` starts the provider (``frontend/demo-idp.mjs``, the npm ``oidc-provider``)
through ``misto demo_idp start``. Its accounts are the demo people of
:mod:`misto.residents.demo`, with the same RNOKPP and birth dates, so signing in matches
them in the register and raises them to "verified by an identity provider".

Its entry in the sign-in list (client id, public secret, issuer) is in
:mod:`misto.residents.providers`; the secret is public on purpose, so production never lists
it and ``misto check --deploy`` fails when it is configured there
(:func:`check_not_in_production`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

from misto.residents import demo
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.providers import DEMO_CLIENT_ID as CLIENT_ID
from misto.residents.providers import DEMO_CLIENT_SECRET as CLIENT_SECRET
from misto.residents.providers import demo_issuer as issuer
from misto.residents.providers import demo_provider as provider_config

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "DemoIdpError", "accounts", "check_not_in_production",
           "command", "environment", "is_running", "issuer", "provider_config", "start", "stop"]
SCRIPT = Path(settings.BASE_DIR) / "frontend" / "demo-idp.mjs"
NODE_MODULES = SCRIPT.parent / "node_modules"
START_TIMEOUT = 30.0  # seconds for node to load the provider


class DemoIdpError(ResidentsError):
    """The demo provider cannot be started or stopped; the message says why."""

    status = 503

    def __init__(self, message: str) -> None:
        super().__init__(ResidentsCode.DEMO_IDP, message)


def accounts() -> list[dict[str, Any]]:
    """The demo residents as the provider's accounts (claims match the register)."""
    rows = []
    for index, (last, first, patronymic, born, *_rest) in enumerate(demo.PEOPLE):
        rows.append({
            "sub": f"demo-resident-{index + 1}",
            "label": f"{first} {last} ({born.isoformat()})",
            "claims": {"family_name": last, "given_name": first, "middle_name": patronymic,
                       "birthdate": born.isoformat(), "rnokpp": demo.demo_rnokpp(index)},
        })
    return rows


def port() -> int:
    split = urlsplit(issuer())
    if split.scheme != "http" or split.hostname not in {"127.0.0.1", "localhost"}:
        raise DemoIdpError(f"MISTO_DEMO_IDP_URL must be a loopback http URL, got {issuer()!r}")
    return split.port or 80


def command() -> list[str]:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "oidc-provider").is_dir():
        raise DemoIdpError("node and frontend/node_modules/oidc-provider are needed "
                           "(make installs them with npm ci)")
    return [node, str(SCRIPT)]


def environment() -> dict[str, str]:
    return dict(os.environ, DEMO_IDP_PORT=str(port()), DEMO_IDP_CLIENT_ID=CLIENT_ID,
                DEMO_IDP_CLIENT_SECRET=CLIENT_SECRET, DEMO_IDP_ACCOUNTS=json.dumps(accounts()))


def is_running() -> bool:
    """Something answers OpenID discovery at the configured issuer, as that issuer."""
    url = issuer() + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(json.load(response).get("issuer") == issuer())
    except (OSError, ValueError):
        return False


def pid_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-idp.pid"


def start() -> bool:
    """Start the provider in the background unless it already runs; True when started."""
    if settings.PRODUCTION:
        raise DemoIdpError("the demo identity provider never runs in production")
    if is_running():
        return False
    log = open(Path(settings.VAR_DIR) / "demo-idp.log", "ab")  # noqa: SIM115 (the child's)
    with log:
        process = subprocess.Popen(command(), env=environment(), cwd=SCRIPT.parent,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file().write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if is_running():
            return True
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise DemoIdpError("the demo identity provider did not start; see var/demo-idp.log")


def stop() -> bool:
    """Stop the provider this install started (by its pid file); True when one was stopped."""
    try:
        pid = int(pid_file().read_text().strip())
    except (OSError, ValueError):
        return False
    pid_file().unlink(missing_ok=True)
    try:  # a stale pid may belong to another process by now: only end our provider
        if SCRIPT.name not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
            return False
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return False
    return True


@register("security", deploy=True)
def check_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The demo provider's secret is public and its people invented: refuse it in production."""
    if settings.PRODUCTION and issuer():
        return [Error(
            "The demo identity provider is configured in production.",
            hint="Unset MISTO_DEMO_IDP_URL: the demo provider's client secret is public "
                 "and its residents are invented.",
            id="residents.E001")]
    return []
