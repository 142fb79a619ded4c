"""The connection layer under httpx: connect only to checked addresses, never past the deadline.

The network backend resolves each new connection's host itself, refuses it when any address is
refused, and connects to one of those very addresses: a check before httpx resolves again would
leave DNS rebinding open. TLS still verifies the certificate against the host name. Every socket
operation gets a timeout no longer than the time left.

Not covered: the network path behind a public address, the port (any is allowed), a name lookup
that overruns the deadline (abandoned, not cancelled) and proxies (none are used; of the
environment only SSL_CERT_FILE and SSL_CERT_DIR count)."""

from __future__ import annotations

import functools
import os
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from balita_cli.net.addresses import AddressError, check, resolve


class Deadline:
    """A point on the monotonic clock, ``seconds`` from when it was made."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.restart()

    def restart(self) -> None:
        """``seconds`` from now again: the next fetch of a session gets a deadline of its own."""
        self._at = time.monotonic() + self.seconds

    def left(self) -> float:
        """Seconds left; TimeoutError when there are none."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the {self.seconds:g} s deadline passed")
        return left

    def clamp(self, timeout: float | None) -> float:
        left = self.left()
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, self._deadline.clamp(timeout))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: Deadline, *, allow_private: bool) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port, self._deadline.left())
        check(host, addresses, allow_private=self._allow_private)
        failure: httpcore.ConnectError | None = None
        for address in addresses:  # all of them allowed; the first that answers
            try:
                stream = self._inner.connect_tcp(
                    str(address), port, self._deadline.clamp(timeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        assert failure is not None  # resolve() never returns an empty list
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressError("Unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self._deadline.left()))


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


_TLS_LOCK = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """The TLS context for the trust store in the environment, made once per process and shared
    by every fetch (an SSLContext is safe across threads). Making one loads the certificate
    bundle; the lock keeps the fetch threads that start together from each making their own."""
    with _TLS_LOCK:
        return _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()


class GuardedTransport(httpx.BaseTransport):
    """httpx's HTTP/1.1 transport over the guarded backend (only public httpx/httpcore API).

    httpcore's exceptions are not mapped to httpx's: :mod:`balita_cli.net.exchange` turns both
    into FetchError.
    """

    def __init__(self, deadline: Deadline, *, allow_private: bool) -> None:
        self._backend = _GuardedBackend(deadline, allow_private=allow_private)
        self._pools: dict[bytes, httpcore.ConnectionPool] = {}

    def _pool(self, scheme: bytes) -> httpcore.ConnectionPool:
        """A pool per scheme, so that a plain-HTTP feed never pays for the TLS context."""
        if scheme not in self._pools:
            self._pools[scheme] = httpcore.ConnectionPool(
                ssl_context=tls_context() if scheme == b"https" else None,
                network_backend=self._backend,
                http1=True,
                http2=False,
                retries=0,
            )
        return self._pools[scheme]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool(url.raw_scheme).handle_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
