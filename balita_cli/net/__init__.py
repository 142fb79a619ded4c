"""Fetching URLs safely: the one road for feeds (``balita fetch``, ``balita import feed``) and,
later, photos (``balita media add``).

Importing this package does not import httpx; :func:`fetch` does, when it runs.
"""

from __future__ import annotations

import sys

from balita_cli.net.fetch import Fetched, FetchError, FetchPolicy, Validators, fetch, fetch_many
from balita_cli.net.retry import next_attempt_delay, parse_retry_after

# httpx imports its own command-line client (click, Rich, Pygments: ~0.1 s a process) unless that
# import fails, which httpx handles; balita never runs it. A None entry makes the import fail at once.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

__all__ = [
    "FetchError",
    "FetchPolicy",
    "Fetched",
    "Validators",
    "fetch",
    "fetch_many",
    "next_attempt_delay",
    "parse_retry_after",
]
