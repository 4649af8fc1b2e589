"""Domain errors: what a service raises when a request cannot be honoured, with a message a user can read.

Views turn them into form errors and messages, API endpoints into HTTP 4xx answers with the message as the reason.
"""

from __future__ import annotations

from typing import Any


class LiaisonError(Exception):
    """A request that cannot be honoured; ``field`` names the input at fault when there is one."""

    status = 400

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(LiaisonError):
    """The actor may not do this (403)."""

    status = 403


class NotFound(LiaisonError):
    """What the request names does not exist, or is not the actor's to see (404)."""

    status = 404


class Conflict(LiaisonError):
    """The request contradicts the current state (409), such as a duplicate or a concurrent change."""

    status = 409
