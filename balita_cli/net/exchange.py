"""One fetch as an HTTP conversation: check the URL, send, follow redirects hop by hop, read the
body within the limits, and turn every failure into one FetchError.

Loaded by :func:`balita_cli.net.fetch.fetch` when it runs (this module imports httpx).
"""

from __future__ import annotations

import ssl
import zlib
from datetime import UTC, datetime
from ipaddress import ip_address

import httpcore
import httpx

from balita_cli.net import transport
from balita_cli.net.addresses import AddressError, a_kind, refusal
from balita_cli.net.policy import (
    Answer,
    Fetched,
    FetchError,
    FetchPolicy,
    SendError,
    Validators,
    header_safe,
    one_line,
)
from balita_cli.net.retry import parse_retry_after

REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
SCHEMES = tuple(DEFAULT_PORTS)
# Decoded here, a bounded step at a time; anything else is refused rather than passed on raw.
ACCEPT_ENCODING = "gzip, deflate"
_INFLATE_STEP = 256 * 1024  # bytes inflated per zlib call: memory stays near what was accepted

# What the network, TLS, httpcore and httpx can raise for a reason outside balita.
_FAILURES = (
    AddressError,
    OSError,  # TimeoutError, ssl.SSLError, a bad SSL_CERT_FILE...
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpx.HTTPError,
    httpx.InvalidURL,
)


class _Failure(Exception):
    """A refusal decided here; ``run`` adds the URL."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class Session:
    """Fetches made one after another, each within its own deadline, over connections kept alive
    between them: one outlet's feeds cost one connection (and one TLS handshake), not one each.

    Every new connection is checked as for a single fetch; the peer of every response is checked
    again, a reused connection's included. A connection is kept only when its answer was read
    to the end (a 200 body, or a 304, which has none); any other answer closes it.
    """

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._deadline = transport.Deadline(policy.deadline)
        self._transport = transport.GuardedTransport(self._deadline, allow_private=policy.allow_private)
        self._headers = {"User-Agent": policy.user_agent, "Accept": policy.accept, "Accept-Encoding": ACCEPT_ENCODING}

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: object) -> None:
        self._transport.close()

    def fetch(self, url: str, validators: Validators | None) -> Fetched:
        self._deadline.restart()
        try:
            target = _checked_url(url)
            return _follow(self._transport, target, self._headers, self._policy, validators, self._deadline)
        except _Failure as exc:
            raise FetchError(url, exc.reason, status=exc.status, retry_after=exc.retry_after) from None
        except _FAILURES as exc:
            raise FetchError(url, _describe(exc, self._policy)) from None

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """One request with a body, whatever the answer (a 3xx is an answer: never followed)."""
        self._deadline.restart()
        try:
            target = _checked_url(url)
            timeout = httpx.Timeout(self._deadline.left()).as_dict()
            sent = {"User-Agent": self._policy.user_agent, **headers}
            request = httpx.Request(method, target, headers=sent, content=body, extensions={"timeout": timeout})
            response = self._transport.handle_request(request)
            try:
                _check_peer(response, self._policy)
                return _answer(response, self._policy, self._deadline)
            finally:
                response.close()
        except _Failure as exc:
            raise SendError(url, exc.reason) from None
        except _FAILURES as exc:
            raise SendError(url, _describe(exc, self._policy)) from None

    def close(self) -> None:
        self._transport.close()


def run(url: str, policy: FetchPolicy, validators: Validators | None) -> Fetched:
    with Session(policy) as session:
        return session.fetch(url, validators)


def _checked_url(text: str) -> httpx.URL:
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise _Failure(f"not a valid URL ({exc})") from None
    return _allowed(url, "")


def _allowed(url: httpx.URL, prefix: str) -> httpx.URL:
    if url.scheme not in SCHEMES:
        raise _Failure(f"{prefix}scheme {url.scheme or '(none)'!r} is not allowed (http and https only)")
    if not url.host:
        raise _Failure(f"{prefix}the URL has no host")
    return url


def _follow(
    guarded: transport.GuardedTransport,
    target: httpx.URL,
    headers: dict[str, str],
    policy: FetchPolicy,
    validators: Validators | None,
    deadline: transport.Deadline,
) -> Fetched:
    """Hop by hop, straight on the transport: no httpx.Client, whose redirect handling parses a
    Location even when not following it, and whose cookies, auth and proxies a feed needs not."""
    conditional = _conditional_headers(validators)
    origin = target
    for hop in range(policy.max_redirects + 1):
        timeout = httpx.Timeout(deadline.left()).as_dict()
        request = httpx.Request("GET", target, headers={**headers, **conditional}, extensions={"timeout": timeout})
        try:
            response = guarded.handle_request(request)
            response.request = request
        except AddressError as exc:
            if hop == 0:
                raise
            raise _Failure(f"redirected to {one_line(str(target))}: {exc.reason}") from None
        try:
            _check_peer(response, policy)
            if response.status_code in REDIRECTS:
                target = _redirect_target(response)
                if policy.allow_private:
                    _stays_on(origin, target)
                continue
            return _outcome(response, policy, validators, conditional, deadline)
        finally:
            response.close()  # unread: a redirect, an error status or a 304 costs no body
    raise _Failure(f"more than {policy.max_redirects} redirects")


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators is None:
        return headers
    if (etag := header_safe(validators.etag)) is not None:
        headers["If-None-Match"] = etag
    if (last_modified := header_safe(validators.last_modified)) is not None:
        headers["If-Modified-Since"] = last_modified
    return headers


def _check_peer(response: httpx.Response, policy: FetchPolicy) -> None:
    """The address actually connected to, judged again (the backend connected to a checked one;
    this holds whatever connection httpcore handed back, reused ones included)."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise _Failure("cannot tell which address the connection reached")
    address = ip_address(peer[0])
    kind = refusal(address, allow_private=policy.allow_private)
    if kind is not None:
        raise _Failure(f"connected to {a_kind(kind)} ({address})")


def _stays_on(origin: httpx.URL, target: httpx.URL) -> None:
    """A source trusted with private addresses is trusted on its own host, not on its whole network:
    its redirects keep the host, and the port unless they move to the scheme's own."""
    try:
        kind = refusal(ip_address(target.host), allow_private=True)
    except ValueError:
        kind = None  # a name: judged by the rule below
    if kind is not None:  # an address refused to every source: that is the better reason
        raise _Failure(f"redirected to {one_line(str(target))}: {target.host} is {a_kind(kind)}")
    default_port = DEFAULT_PORTS[target.scheme]
    port = target.port or default_port
    if target.host != origin.host or port not in {origin.port or DEFAULT_PORTS[origin.scheme], default_port}:
        reason = "a source allowed private addresses is followed on its own host only"
        raise _Failure(f"redirected to {one_line(str(target))}: {reason}")


def _redirect_target(response: httpx.Response) -> httpx.URL:
    location = response.headers.get("location")
    if not location:
        raise _Failure(f"redirect {response.status_code} without a Location")
    prefix = f"redirected to {one_line(location)}: "  # as sent: joined, file:///x shows as file:/x
    try:
        return _allowed(response.url.join(location), prefix)
    except httpx.InvalidURL as exc:
        raise _Failure(f"{prefix}not a valid URL ({exc})") from None


def _outcome(
    response: httpx.Response,
    policy: FetchPolicy,
    validators: Validators | None,
    conditional: dict[str, str],
    deadline: transport.Deadline,
) -> Fetched:
    status = response.status_code
    answer = f"{status} {httpx.codes.get_reason_phrase(status)}".strip()  # not the server's words
    if status >= 400:
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after", ""), datetime.now(UTC))
        raise _Failure(f"the server answered {answer}", status=status, retry_after=retry_after)
    fresh = Validators(header_safe(response.headers.get("etag")), header_safe(response.headers.get("last-modified")))
    if status == 304 and validators is not None and conditional:
        kept = Validators(fresh.etag or validators.etag, fresh.last_modified or validators.last_modified)
        _finish(response)
        return Fetched(str(response.url), 304, b"", _media_type(response), kept)
    if not 200 <= status < 300 or status == 206:  # 206 unasked for; 304 unasked for; 300, 305...
        raise _Failure(f"unexpected answer {answer}", status=status)
    body = _read_body(response, policy, deadline)
    return Fetched(str(response.url), status, body, _media_type(response), fresh)


_EXCERPT = 200  # characters of an answer's body kept for the delivery log


def _answer(response: httpx.Response, policy: FetchPolicy, deadline: transport.Deadline) -> Answer:
    """The status and the start of the body, read raw up to ``max_bytes`` (what is left unread
    closes the connection instead of being waited for)."""
    received = bytearray()
    for chunk in response.iter_raw():
        received += chunk[: policy.max_bytes - len(received)]
        if len(received) >= policy.max_bytes:
            break
        deadline.left()
    retry_after = None
    if response.status_code in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after", ""), datetime.now(UTC))
    text = bytes(received[: _EXCERPT * 4]).decode("utf-8", "replace")
    return Answer(response.status_code, one_line(text)[:_EXCERPT], retry_after)


def _finish(response: httpx.Response) -> None:
    """Read a 304 to its end (it has no body by definition, so this reads nothing from the
    network), which lets the connection carry the next request."""
    for _ in response.iter_raw():
        pass


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()


def _read_body(response: httpx.Response, policy: FetchPolicy, deadline: transport.Deadline) -> bytes:
    limit = policy.max_bytes
    too_large = f"the body is larger than the {_size(limit)} limit"
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise _Failure(f"{too_large} (Content-Length: {one_line(declared)})")
    decoder = _decoder(response, limit, too_large)
    received = 0
    parts: list[bytes] = []
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > limit:
            raise _Failure(too_large)
        parts.append(decoder.decode(chunk))
        deadline.left()
    parts.append(decoder.flush())
    return b"".join(parts)


class _Identity:
    def decode(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _Inflate:
    """gzip or deflate, inflated a bounded step at a time and never past the limit (plus one byte).

    httpx's own decoders inflate each received chunk whole, so one chunk of a gzip bomb is inflated
    in full before any size check can run. Here ``decompress(data, max_length)`` stops at the limit.
    Bytes after the end of the compressed stream are ignored, as browsers do.
    """

    def __init__(self, coding: str, limit: int, too_large: str) -> None:
        self._coding = coding
        self._room = limit
        self._too_large = too_large
        self._first = True
        wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)

    def decode(self, data: bytes) -> bytes:
        try:
            return self._inflate(data)
        except zlib.error as exc:
            if self._coding == "deflate" and self._first:  # raw deflate, sent by some servers
                self._first = False
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data)
            raise _Failure(f"the body is not valid {self._coding} ({exc})") from None
        finally:
            self._first = False

    def _inflate(self, data: bytes) -> bytes:
        pieces: list[bytes] = []
        while data and not self._inflater.eof:
            piece = self._inflater.decompress(data, min(self._room + 1, _INFLATE_STEP))
            self._count(piece)
            pieces.append(piece)
            data = self._inflater.unconsumed_tail
        return b"".join(pieces)

    def flush(self) -> bytes:
        try:
            rest = self._inflater.flush()
        except zlib.error as exc:
            raise _Failure(f"the body is not valid {self._coding} ({exc})") from None
        self._count(rest)
        return rest

    def _count(self, piece: bytes) -> None:
        self._room -= len(piece)
        if self._room < 0:
            raise _Failure(self._too_large)


def _decoder(response: httpx.Response, limit: int, too_large: str) -> _Identity | _Inflate:
    codings = [
        coding.strip().lower()
        for coding in response.headers.get_list("content-encoding", split_commas=True)
        if coding.strip().lower() not in ("", "identity")
    ]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflate(codings[0], limit, too_large)
    raise _Failure(f"unsupported Content-Encoding {', '.join(codings)!r}")


def _size(count: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def _describe(exc: Exception, policy: FetchPolicy) -> str:
    """One line a person can act on, for an exception from the network, TLS, httpcore or httpx."""
    if isinstance(exc, AddressError):
        return exc.reason
    if isinstance(exc, TimeoutError | httpcore.TimeoutException | httpx.TimeoutException):
        return f"no complete answer within the {policy.deadline:g} s deadline"
    if isinstance(exc, httpx.InvalidURL):
        return f"not a valid URL ({exc})"
    cause = exc.__cause__ or exc.__context__ or exc
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted ({cause.verify_message or cause.reason})"
    if isinstance(cause, ssl.SSLError):
        return f"TLS failed ({cause.reason or cause})"
    detail = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(exc) or type(exc).__name__
    if isinstance(exc, httpcore.ConnectError):
        return f"cannot connect ({detail})"
    if isinstance(exc, httpcore.NetworkError | httpx.NetworkError):
        return f"the connection failed ({detail})"
    if isinstance(exc, httpcore.RemoteProtocolError | httpx.RemoteProtocolError):
        return f"not a valid HTTP answer ({detail})"
    if isinstance(exc, httpcore.LocalProtocolError | httpx.LocalProtocolError):
        return f"the request could not be sent ({detail})"
    return detail
