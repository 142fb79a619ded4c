"""A fetching process started by the launcher, so that loading the HTTP client overlaps loading
the command line.

``balita fetch`` spends ~40 ms importing httpx, httpcore and ssl, one after the other with the
~45 ms the command line and the database take to say which feeds are due. On Linux with a second
CPU, the launcher forks this process before anything else is loaded (no thread, no connection,
no open database yet: forking is safe); it loads the client and its TLS context at once and waits.
:func:`balita_cli.net.fetch.fetch_many` hands it the requests through a pipe and gets the outcomes
back: the same code fetches, under the same policy, in the other process. Where no fetcher was
started (other commands, one CPU, another system, tests calling in-process) or it cannot answer,
``fetch_many`` fetches here as before.

The fetcher ignores Ctrl-C and a stop (the command acts on them and ends it), holds none of the
command's standard streams, leaves by ``os._exit`` and is killed and reaped when the command ends.
"""

from __future__ import annotations

import os
import sys
from typing import Any

_LENGTH = 8  # bytes of a message's length, before the message

_started: Fetcher | None = None


class Fetcher:
    """The forked process and the two pipe ends this process keeps."""

    def __init__(self, pid: int, requests: int, outcomes: int) -> None:
        self.pid = pid
        self._requests = requests
        self._outcomes = outcomes

    def ask(self, message: Any) -> Any | None:
        """The fetcher's answer to ``message``, or None when it could not give one (it is then
        ended: the caller fetches in-process)."""
        import pickle

        try:
            _send(self._requests, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
            answer = _receive(self._outcomes)
        except OSError:
            answer = None
        if answer is None:
            self.end()
            return None
        kind, value = pickle.loads(answer)  # noqa: S301  (our own child, over our own pipe)
        return value if kind == "done" else None

    def end(self) -> None:
        import signal

        for end in (self._requests, self._outcomes):
            try:
                os.close(end)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def start(argv: list[str]) -> None:
    """Start the fetcher for a command that fetches (``argv`` after the program name), where this
    machine gains by it."""
    global _started  # noqa: PLW0603  (one per process, made before anything else is loaded)
    if _started is None and _worth_forking(argv):
        _started = _fork()


def take() -> Fetcher | None:
    """The fetcher this process started, if it is still there."""
    return _started


def end() -> None:
    """End the fetcher (at the command's end); nothing when none was started."""
    global _started  # noqa: PLW0603
    if _started is not None:
        fetcher, _started = _started, None
        fetcher.end()


def _worth_forking(argv: list[str]) -> bool:
    if "--help" in argv or "-h" in argv or any(name.startswith("_BALITA_COMPLETE") for name in os.environ):
        return False
    if not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2:
        return False
    threading = sys.modules.get("threading")  # forking a process with other threads is unsafe
    return threading is None or threading.active_count() == 1


def _fork() -> Fetcher | None:
    import signal

    requests_in, requests_out = os.pipe()
    outcomes_in, outcomes_out = os.pipe()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    except OSError:
        pid = None
    if pid == 0:
        try:
            os.close(requests_out)
            os.close(outcomes_in)
            _serve(requests_in, outcomes_out)
        finally:
            os._exit(0)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(requests_in)
    os.close(outcomes_out)
    if pid is None:
        os.close(requests_out)
        os.close(outcomes_in)
        return None
    return Fetcher(pid, requests_out, outcomes_in)


def _serve(requests: int, outcomes: int) -> None:
    """The fetcher's life: load the client, then answer each request until the pipe closes."""
    import pickle

    _let_go_of_streams()
    from balita_cli.net import exchange, transport
    from balita_cli.net.fetch import fetch_here

    del exchange  # imported for its cost, paid here while the command line loads
    try:
        transport.tls_context()  # the certificate bundle, loaded before any https feed needs it
    except (OSError, ValueError):
        pass  # a bad SSL_CERT_FILE: the fetch of an https feed will say so
    while (message := _receive(requests)) is not None:
        try:
            request_list, policy, concurrency = pickle.loads(message)  # noqa: S301  (our parent)
            answer: tuple[str, Any] = ("done", fetch_here(request_list, policy, concurrency=concurrency))
        except Exception as exc:  # noqa: BLE001  (the parent fetches in-process instead and sees it)
            answer = ("failed", repr(exc))
        _send(outcomes, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


def _let_go_of_streams() -> None:
    """Standard input and output to /dev/null: a caller reading the command's output must see it
    end when the command ends, whoever still runs."""
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    os.close(null)


def _send(end: int, payload: bytes) -> None:
    data = memoryview(len(payload).to_bytes(_LENGTH, "big") + payload)
    while data:
        data = data[os.write(end, data) :]


def _receive(end: int) -> bytes | None:
    """One whole message, or None at the end of the pipe."""
    head = _read_exactly(end, _LENGTH)
    return None if head is None else _read_exactly(end, int.from_bytes(head, "big"))


def _read_exactly(end: int, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(end, min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
