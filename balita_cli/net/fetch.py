"""The one way balita fetches a URL: feeds for ``balita fetch`` and ``balita import feed``,
photos for ``balita media add``.

Every URL is hostile until checked. :func:`fetch` allows http and https only, connects only to
addresses the policy allows (checked at every hop and every connection), follows at most
``max_redirects`` redirects, stops at one total deadline and at ``max_bytes`` of decoded body,
and turns every failure into a one-line :class:`FetchError`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from balita_cli.net.policy import Answer, Fetched, FetchError, FetchPolicy, Validators

K = TypeVar("K", bound=Hashable)

Request = tuple[K, str, Validators | None]
"""What :func:`fetch_many` is given: a key for the outcome, the URL, the validators if any."""


class Sender(Protocol):
    """Requests to receivers one after another over kept-alive connections (``sender``)."""

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Answer: ...

    def close(self) -> None: ...


def sender(policy: FetchPolicy) -> Sender:
    """A Sender under ``policy``: http(s) only, checked addresses at every connection, the
    deadline for each request whole, no redirect followed; close it when done."""
    from balita_cli.net import exchange

    return exchange.Session(policy)


def fetch(url: str, policy: FetchPolicy, validators: Validators | None = None) -> Fetched:
    """GET ``url`` under ``policy``, conditionally when ``validators`` hold an ETag or date.

    Raises FetchError for every failure: a refused URL or address, a network, TLS or protocol
    error, the deadline, the size limit, an HTTP error status (with ``status``, and
    ``retry_after`` for 429 and 503).
    """
    from balita_cli.net import exchange  # here: httpx loads only when something is fetched

    return exchange.run(url, policy, validators)


def fetch_many(
    requests: Sequence[Request[K]],
    policy: FetchPolicy,
    *,
    concurrency: int = 4,
) -> dict[K, Fetched | FetchError]:
    """Fetch ``(key, url, validators)`` requests; each outcome is kept under its key, in the order
    given, and one failure never stops the others.

    The URLs of one origin (scheme, host and port: an outlet's several feeds) are fetched one
    after another over one kept-alive connection, which is politer to the outlet and costs one
    TLS handshake instead of several; at most ``concurrency`` origins are fetched at a time.
    Threads rather than asyncio: fetch is synchronous like the rest of balita (one road for one
    URL or many), the work is waiting on sockets, which releases the GIL, and every fetch ends by
    its own deadline.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency!r}")
    keys = [key for key, _, _ in requests]
    if len(set(keys)) != len(keys):
        raise ValueError("fetch_many was given the same key twice")
    groups = list(_by_origin(requests).values())

    def fetch_group(group: list[Request[K]]) -> dict[K, Fetched | FetchError]:
        outcomes: dict[K, Fetched | FetchError] = {}
        from balita_cli.net import exchange  # here: httpx loads only when something is fetched

        with exchange.Session(policy) as session:
            for key, url, validators in group:
                try:
                    outcomes[key] = session.fetch(url, validators)
                except FetchError as exc:
                    outcomes[key] = exc
        return outcomes

    found: dict[K, Fetched | FetchError] = {}
    if len(groups) <= 1:  # one outlet: no thread needed
        for group in groups:
            found.update(fetch_group(group))
    else:
        pool = ThreadPoolExecutor(max_workers=min(concurrency, len(groups)), thread_name_prefix="balita-fetch")
        try:
            for outcomes in pool.map(fetch_group, groups):
                found.update(outcomes)
        finally:  # on Ctrl-C the queued fetches are dropped; running ones end by their deadline
            pool.shutdown(wait=False, cancel_futures=True)
    return {key: found[key] for key in keys}


def _by_origin(requests: Sequence[Request[K]]) -> dict[object, list[Request[K]]]:
    """The requests grouped by origin, in the order given; a URL that cannot be split is a group
    of its own (its fetch reports why)."""
    groups: dict[object, list[Request[K]]] = {}
    for request in requests:
        url = request[1]
        try:
            parts = urlsplit(url)
            origin: object = (parts.scheme.lower(), parts.hostname, parts.port)
        except ValueError:
            origin = ("unsplittable", url)
        groups.setdefault(origin, []).append(request)
    return groups
