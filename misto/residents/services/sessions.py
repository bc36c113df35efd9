"""A resident's sign-in sessions, listed in the cabinet so they can end the others."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from misto.residents.models import UserSession


def remember_session(request: HttpRequest, user: Any, method: str) -> None:
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "method": method,
                  "user_agent": request.headers.get("user-agent", "")[:200]},
    )


def sessions_of(user: Any) -> list[UserSession]:
    rows = list(UserSession.objects.filter(user=user).order_by("-created_at"))
    alive = set(Session.objects.filter(session_key__in=[row.session_key for row in rows],
                                       expire_date__gt=timezone.now())
                .values_list("session_key", flat=True))
    UserSession.objects.filter(pk__in=[row.pk for row in rows
                                       if row.session_key not in alive]).delete()
    return [row for row in rows if row.session_key in alive]


def end_other_sessions(user: Any, keep: str | None) -> int:
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return len(keys)
