"""One exception hierarchy; the CLI boundary turns each into ``error: <message>`` and an exit code."""

from __future__ import annotations


class BalitaError(Exception):
    """A problem the user can act on. Never carries a traceback to the terminal."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(BalitaError):
    """The command was called wrongly (bad flag value, missing argument)."""

    exit_code = 2


class NotFound(BalitaError):
    """An article, tag, section or author that does not exist."""


class Conflict(BalitaError):
    """Someone else changed the article since it was read, or a name is taken."""


class InvalidTransition(BalitaError):
    """A status change the editorial workflow does not allow."""


class InvalidInput(BalitaError):
    """A value that cannot be accepted (empty title, bad date, unreadable file)."""


class DatabaseError(BalitaError):
    """The database cannot be reached, or its schema is not one this version understands."""


class Aborted(BalitaError):
    """The user chose not to go on (declined a prompt, left the editor unchanged)."""
