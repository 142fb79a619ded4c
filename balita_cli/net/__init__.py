"""Fetching URLs safely: the one road for feeds (``balita fetch``, ``balita import feed``) and,
later, photos (``balita media add``).

Importing this package does not import httpx; :func:`fetch` does, when it runs.
"""

from __future__ import annotations

import sys

from balita_cli.net.fetch import Fetched, FetchError, FetchPolicy, Validators, fetch, fetch_many
from balita_cli.net.retry import next_attempt_delay, parse_retry_after

# Two imports balita never uses, each made to fail at once (a None entry), which the importing
# library handles: httpx's own command-line client (click, Rich, Pygments: ~0.1 s a process), and
# anyio, which httpcore loads when it can for its asynchronous half (~2 ms; balita is synchronous).
# setdefault: where something imported either already (a test runner's plugin), it is left alone.
for _unused in ("httpx._main", "anyio"):
    sys.modules.setdefault(_unused, None)  # type: ignore[arg-type]

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
