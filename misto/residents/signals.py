from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from misto.residents.services import remember_session


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Remember the new session so the resident can see and end it in the cabinet."""
    if request is not None and hasattr(request, "session"):
        backend = request.session.get("_misto_method", "password")
        remember_session(request, user, str(backend))
