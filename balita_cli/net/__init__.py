"""Fetching URLs safely: the one road for feeds (``balita fetch``, ``balita import feed``) and
photos (``balita media add``).

Importing this package does not import httpx; :func:`fetch` does, when it runs.
"""

from __future__ import annotations

from balita_cli.net.fetch import Sender, fetch, fetch_many, sender
from balita_cli.net.policy import Answer, Fetched, FetchError, FetchPolicy, SendError, Validators
from balita_cli.net.retry import next_attempt_delay, parse_retry_after

__all__ = [
    "Answer",
    "FetchError",
    "FetchPolicy",
    "Fetched",
    "SendError",
    "Sender",
    "Validators",
    "fetch",
    "fetch_many",
    "next_attempt_delay",
    "parse_retry_after",
    "sender",
]
