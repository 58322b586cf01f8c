"""The one vocabulary of refusals, shared by every domain.

Services raise these; ``tracker.web`` turns any that a route does not handle into the
422 / 403 / 409 / 404 page in one place. Messages are the person's (Chinese).
"""

from __future__ import annotations

import sys

import click


class Refused(ValueError):
    """Bad input or a state that forbids the change; nothing was written.

    ``errors`` maps form fields to messages when the refusal belongs next to fields.
    """

    def __init__(self, message: str | dict[str, str]) -> None:
        self.errors: dict[str, str] = dict(message) if isinstance(message, dict) else {}
        super().__init__("；".join(self.errors.values()) if self.errors else message)


class Forbidden(PermissionError):
    """The user may not do this."""


class Conflict(Exception):
    """Someone saved first (optimistic locking); ``details`` says what is stored now.

    Forms show ``current`` (label → value stored now) and save again with ``version``.
    """

    current: dict[str, str] = {}  # noqa: RUF012  (never mutated: a default)
    version: int | None = None

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        for key, value in details.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message


class NotFound(LookupError):
    """What was asked for does not exist (or is not the user's to see)."""


def fail(message: str) -> None:
    """On the command line: print a refusal on stderr and exit 1."""
    click.echo(message, err=True)
    sys.exit(1)
