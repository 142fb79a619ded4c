"""Fetching URLs safely: the one road for feeds (``balita fetch``, ``balita import feed``) and,
later, photos (``balita media add``).

Importing this package does not import httpx; :func:`fetch` does, when it runs.
"""

from __future__ import annotations

import sys

from balita_cli.net.fetch import Fetched, FetchError, FetchPolicy, Validators, fetch, fetch_many
from balita_cli.net.retry import next_attempt_delay, parse_retry_after

# Imports balita never uses, each made to fail at once (a None entry), which the importing library
# handles as "not installed": httpx's own command-line client (click, Rich, Pygments: ~0.1 s a
# process); anyio and trio, which httpcore loads when it can for its asynchronous half (~2 ms;
# balita is synchronous); h2 and socksio (HTTP/2 and SOCKS, never asked for); brotli and zstandard,
# httpx's decoders for codings balita neither asks for nor accepts (exchange.py inflates gzip and
# deflate itself, bounded). A missing one still costs a search of every import path; none costs
# nothing. setdefault: where something imported one already (a test runner's plugin), it stays.
_UNUSED = ("httpx._main", "anyio", "trio", "h2", "socksio", "brotli", "brotlicffi", "zstandard")
for _unused in _UNUSED:
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
