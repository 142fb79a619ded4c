"""Telling a CDN what changed: the newsroom's purge command gets the changed addresses on its
standard input, one URL a line (no limit on their number, as arguments would have)."""

from __future__ import annotations

import shlex
import subprocess

from balita_cli.errors import BalitaError, InvalidInput

PURGE_DEADLINE = 300.0


class PurgeFailed(BalitaError):
    """The purge command failed; the deploy itself is done."""


def purge_argv(command: str) -> list[str]:
    """The purge command split as a shell would (it is run without one), checked before deploying."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise InvalidInput(f"cannot read the purge command: {exc}") from None
    if not argv:
        raise InvalidInput("the purge command is empty")
    return argv


def run_purge(argv: list[str], urls: list[str]) -> None:
    """Run ``argv`` with ``urls`` on its standard input; its own output goes to our standard error.
    Nothing is run for no URL."""
    if not urls:
        return
    try:
        finished = subprocess.run(
            argv, input="".join(f"{url}\n" for url in urls), text=True, stdout=2, timeout=PURGE_DEADLINE, check=False
        )
    except FileNotFoundError:
        raise PurgeFailed(f"purge command not found: {argv[0]} (the deploy itself is done)") from None
    except PermissionError:
        raise PurgeFailed(f"purge command not runnable: {argv[0]} (the deploy itself is done)") from None
    except subprocess.TimeoutExpired:
        raise PurgeFailed(f"the purge command ran over {PURGE_DEADLINE:.0f} s (the deploy itself is done)") from None
    if finished.returncode != 0:
        raise PurgeFailed(f"the purge command exited {finished.returncode} (the deploy itself is done)")
