"""What a fetch may do (:class:`FetchPolicy`) and what it gives back (:class:`Fetched` or a
one-line :class:`FetchError`): the values both sides of a fetch share, without httpx."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from balita_cli import __version__
from balita_cli.errors import BalitaError

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


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends back: ``If-None-Match`` and ``If-Modified-Since``."""

    etag: str | None = None
    last_modified: str | None = None


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


@dataclass(frozen=True)
class Answer:
    """What a receiver answered a request that carried a body (a webhook, a partner's PUT, a
    WebSub ping): any status, redirects included (they are never followed); at most the policy's
    ``max_bytes`` of its body are read, and the start of it is kept for the delivery log."""

    status: int
    excerpt: str
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class SendError(BalitaError):
    """``cannot deliver to <url>: <reason>``: the request could not be made or had no answer."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot deliver to {shown_url(url)}: {one_line(reason)}")
        self.url = url
        self.reason = one_line(reason)


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
