"""Small HTTP answers every module's pages give alike."""

from __future__ import annotations

from django.http import HttpResponseRedirect


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a form's POST the browser GETs ``url`` (a reload never posts
    again)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
