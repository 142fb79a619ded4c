"""The one way balita fetches a URL: feeds for ``balita fetch`` and ``balita import feed``, later
photos for ``balita media add``.

Every URL is hostile until checked. :func:`fetch` allows http and https only, connects only to
addresses the policy allows (checked at every hop and every connection), follows at most
``max_redirects`` redirects, stops at one total deadline and at ``max_bytes`` of decoded body,
and turns every failure into a one-line :class:`FetchError`.

This module does not import httpx; :func:`fetch` loads :mod:`balita_cli.net.exchange` (which
does) when it runs, so importing the package costs nothing at ``balita --help``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar, cast
from urllib.parse import urlsplit

from balita_cli import __version__
from balita_cli.errors import BalitaError

K = TypeVar("K", bound=Hashable)

DEFAULT_USER_AGENT = f"balita/{__version__} (+https://github.com/balita)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
_MAX_SHOWN = 200  # characters of a URL or reason shown in an error message
_MAX_VALIDATOR = 1024


def header_safe(value: str | None) -> str | None:
    """The value when it can be sent back as a header (printable ASCII, bounded), else None.

    Validators come from servers and are stored: a hostile one must not break every later fetch.
    """
    if not value or len(value) > _MAX_VALIDATOR:
        return None
    return value if value.isascii() and value.isprintable() else None


@dataclass(frozen=True)
class FetchPolicy:
    """What one fetch may do. Callers put the site's contact in ``user_agent``."""

    deadline: float = 30.0
    """Seconds for the whole exchange: name lookup, connect, TLS, every redirect, the body."""
    max_bytes: int = 20 * 1024 * 1024
    """Of the body as received and as decoded: a gzip bomb stops here, not in memory."""
    max_redirects: int = 5
    allow_private: bool = False
    """Permit loopback and private (RFC 1918, fc00::/7) addresses; link-local (cloud metadata),
    multicast, unspecified, reserved and other non-public addresses stay refused."""
    user_agent: str = DEFAULT_USER_AGENT
    accept: str = FEED_ACCEPT

    def __post_init__(self) -> None:
        if not (math.isfinite(self.deadline) and self.deadline > 0):
            raise ValueError(f"deadline must be a positive number of seconds, not {self.deadline!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes!r}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects cannot be negative, not {self.max_redirects!r}")
        for name in ("user_agent", "accept"):
            if header_safe(getattr(self, name)) is None:
                raise ValueError(f"{name} must be printable ASCII of at most {_MAX_VALIDATOR} characters")


class Validators(NamedTuple):
    """What a conditional GET sends back: ``If-None-Match`` and ``If-Modified-Since``."""

    etag: str | None = None
    last_modified: str | None = None


Request = tuple[K, str, Validators | None]
"""What :func:`fetch_many` is given: a key for the outcome, the URL, the validators if any."""


@dataclass(frozen=True)
class Fetched:
    """A successful fetch: a 2xx (normally 200) with its body, or a 304 without one."""

    url: str
    """The final URL, after redirects."""
    status: int
    body: bytes = field(repr=False)
    """Decoded (gzip/deflate undone); b"" on 304."""
    content_type: str
    """The media type without parameters, lower case ("" when the server sent none)."""
    validators: Validators
    """From this response; on 304 the ones sent, updated by any the server sent again."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(BalitaError):
    """``cannot fetch <url>: <reason>`` on one line; ``status`` and ``retry_after`` for schedulers."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"cannot fetch {shown_url(url)}: {one_line(reason)}")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:  # made again from its fields, in another process
        return (_fetch_error, (self.url, self.reason, self.status, self.retry_after))


def _fetch_error(url: str, reason: str, status: int | None, retry_after: float | None) -> FetchError:
    return FetchError(url, reason, status=status, retry_after=retry_after)


def fetch(url: str, policy: FetchPolicy, validators: Validators | None = None) -> Fetched:
    """GET ``url`` under ``policy``, conditionally when ``validators`` hold an ETag or date.

    Raises FetchError for every failure: a refused URL or address, a network, TLS or protocol
    error, the deadline, the size limit, an HTTP error status (with ``status``, and
    ``retry_after`` for 429 and 503).
    """
    from balita_cli.net import exchange

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
    its own deadline. Where the launcher started a fetching process (:mod:`.fetcher`), it does
    this work, with the HTTP client it loaded meanwhile.
    """
    from balita_cli.net import fetcher

    started = fetcher.take()
    if started is not None and (outcomes := started.ask((list(requests), policy, concurrency))) is not None:
        return cast("dict[K, Fetched | FetchError]", outcomes)
    return fetch_here(requests, policy, concurrency=concurrency)


def fetch_here(
    requests: Sequence[Request[K]],
    policy: FetchPolicy,
    *,
    concurrency: int = 4,
) -> dict[K, Fetched | FetchError]:
    """:func:`fetch_many` in this process."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency!r}")
    keys = [key for key, _, _ in requests]
    if len(set(keys)) != len(keys):
        raise ValueError("fetch_many was given the same key twice")
    groups = list(_by_origin(requests).values())

    def fetch_group(group: list[Request[K]]) -> dict[K, Fetched | FetchError]:
        from balita_cli.net import exchange

        outcomes: dict[K, Fetched | FetchError] = {}
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
        from concurrent.futures import ThreadPoolExecutor

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


def one_line(text: str) -> str:
    """Whitespace collapsed, other control characters escaped, at most a few hundred characters."""
    text = " ".join(text.split())
    text = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def shown_url(url: str) -> str:
    """The URL for a message: a password in it replaced by ``***``, then :func:`one_line`."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        password = None
    if password is not None:
        userinfo, _, hostport = parts.netloc.rpartition("@")
        url = parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{hostport}").geturl()
    return one_line(url)
