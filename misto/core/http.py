"""Small HTTP answers every module's pages give alike."""

from __future__ import annotations

import ipaddress
import socket

from django.http import HttpResponseRedirect


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a form's POST the browser GETs ``url`` (a reload never posts
    again)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def on_loopback(host: str) -> bool:
    """Every address ``host`` resolves to is this machine's: the simulators talk to a broker
    or a site only there."""
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback
                   for info in socket.getaddrinfo(host, None))
    except (socket.gaierror, ValueError):
        return False
