"""The routes one audience may call, declared with that audience's authentication once
(any module's ``api/``: first written for the notifications module).

Why not one ninja ``Router`` per audience mounted with ``add_router``: Django sends a path
to the first router that has it, so the public ``GET /announcements`` and the staff
``POST /announcements`` (one path, two audiences) must share one router; an
:class:`Audience` records its routes and :meth:`Audience.mount_on` adds them to the module's
router with the audience's ``auth`` (a route may still set its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ninja import Router
from ninja.constants import NOT_SET

View = TypeVar("View", bound=Callable[..., Any])


class Audience:
    def __init__(self, *, auth: Any = NOT_SET) -> None:
        self.auth = auth
        self.declared: list[tuple[str, list[str], Callable[..., Any], dict[str, Any]]] = []

    def route(self, methods: list[str], path: str, **options: Any) -> Callable[[View], View]:
        def declare(view: View) -> View:
            self.declared.append((path, methods, view, {"auth": self.auth, **options}))
            return view
        return declare

    def get(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(["GET"], path, **options)

    def post(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(["POST"], path, **options)

    def put(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(["PUT"], path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(["DELETE"], path, **options)

    def mount_on(self, router: Router) -> None:
        for path, methods, view, options in self.declared:
            router.add_api_operation(path, methods, view, **options)
