"""Real servers for end-to-end tests: the demo site as ``make run`` starts it.

A newcomer's first minutes go through two processes, the DEMO OpenID provider
(``misto demo_idp run``) and ``misto serve`` (web and event worker together), so the tests
that walk those minutes start the same two on free loopback ports rather than a stand-in.
"""

from __future__ import annotations

import re
import socket
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from misto.conftest import wait_for


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Whether ``url`` answers at all (any status below 400), without waiting long."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class DemoSite:
    url: str  # Misto, as a browser reaches it
    idp_url: str  # the DEMO OpenID provider's issuer


def start_demo_site(spawn_misto: Callable[..., subprocess.Popen[str]]) -> DemoSite:
    """Start the DEMO provider and ``misto serve`` (with ``spawn_misto``, which stops them
    at the end of the test) on the test database; return once both answer."""
    idp_url = f"http://127.0.0.1:{free_port()}"
    misto_port = free_port()
    site = DemoSite(url=f"http://127.0.0.1:{misto_port}", idp_url=idp_url)
    provider = spawn_misto("demo_idp", "run", MISTO_DEMO_IDP_URL=idp_url)
    # The public URL is where links in messages point (the inbox's among them).
    server = spawn_misto("serve", "--port", str(misto_port), MISTO_DEMO_IDP_URL=idp_url,
                         MISTO_PUBLIC_URL=site.url)
    assert wait_for(lambda: answers(idp_url + "/.well-known/openid-configuration"),
                    timeout=60), provider
    assert wait_for(lambda: answers(site.url + "/healthz"), timeout=60), server
    return site


def sign_in_as_demo_resident(page: Any, site: DemoSite, account_label: str) -> None:
    """From Misto's sign-in page, go through the DEMO provider as the demo resident whose
    radio button reads ``account_label`` (Ukrainian interface), and back to Misto."""
    page.get_by_role("link", name=re.compile("DEMO")).click()
    page.wait_for_url(site.idp_url + "/interaction/**")
    assert "DEMO" in page.locator(".demo").inner_text()
    page.get_by_label(account_label).check()
    page.get_by_role("button", name=re.compile("Увійти")).click()
    page.get_by_role("button", name=re.compile("Дозволити")).click()  # consent
    page.wait_for_url(site.url + "/**")


def sign_in_with_password(page: Any, base: str, username: str, password: str,
                          next_path: str) -> None:
    """Sign a staff member in on the password page and wait to land on ``next_path``."""
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")
