"""Errors of the residents module."""

from __future__ import annotations


class ResidentsError(Exception):
    """A refused operation; ``code`` is stable, ``errors`` maps fields to reasons."""

    def __init__(self, message: str, code: str = "invalid",
                 errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or {}
