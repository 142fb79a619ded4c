"""A fetching process started by the launcher, so that loading the HTTP client overlaps loading
the command line.

``balita fetch`` spends ~40 ms importing httpx, httpcore and ssl, one after the other with the
~45 ms the command line and the database take to say which feeds are due. Where a child may be
forked (:mod:`balita_cli.processes`: Linux, a second CPU, no thread), the launcher forks this
process before anything else is loaded (no connection, no open database yet); it loads the client
and its TLS context at once and waits. :func:`balita_cli.net.fetch.fetch_many` hands it the
requests through a pipe and gets the outcomes back: the same code fetches, under the same policy,
in the other process. Where no fetcher was started (other commands, one CPU, another system,
tests calling in-process) or it cannot answer, ``fetch_many`` fetches here as before.

The fetcher holds none of the command's standard streams and is killed and reaped when the
command ends; when the command is killed outright, the pipe's end ends it.
"""

from __future__ import annotations

import os
from typing import Any

from balita_cli import processes

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
        try:
            processes.send(self._requests, message)
            answer = processes.receive(self._outcomes)
        except OSError:
            answer = None
        if answer is None:
            self.end()
            return None
        kind, value = answer
        return value if kind == "done" else None

    def end(self) -> None:
        for end in (self._requests, self._outcomes):
            try:
                os.close(end)
            except OSError:
                pass
        processes.end(self.pid)


def start(argv: list[str]) -> None:
    """Start the fetcher for a command that fetches (``argv`` after the program name), where this
    machine gains by it."""
    global _started  # noqa: PLW0603  (one per process, made before anything else is loaded)
    if _started is None and _wanted(argv) and processes.may_fork():
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


def _wanted(argv: list[str]) -> bool:
    """Not for help, nor for the shell's completion (the command then fetches nothing)."""
    return not ("--help" in argv or "-h" in argv or any(name.startswith("_BALITA_COMPLETE") for name in os.environ))


def _fork() -> Fetcher | None:
    requests_in, requests_out = processes.pipe()
    outcomes_in, outcomes_out = processes.pipe()
    pid = processes.fork()
    if pid == 0:
        try:
            os.close(requests_out)
            os.close(outcomes_in)
            _serve(requests_in, outcomes_out)
        finally:
            os._exit(0)
    os.close(requests_in)
    os.close(outcomes_out)
    if pid is None:
        os.close(requests_out)
        os.close(outcomes_in)
        return None
    return Fetcher(pid, requests_out, outcomes_in)


def _serve(requests: int, outcomes: int) -> None:
    """The fetcher's life: load the client, then answer each request until the pipe closes."""
    processes.let_go_of_streams()
    from balita_cli.net import exchange, transport
    from balita_cli.net.fetch import fetch_here

    del exchange  # imported for its cost, paid here while the command line loads
    try:
        transport.tls_context()  # the certificate bundle, loaded before any https feed needs it
    except (OSError, ValueError):
        pass  # a bad SSL_CERT_FILE: the fetch of an https feed will say so
    while (message := processes.receive(requests)) is not None:
        try:
            request_list, policy, concurrency = message
            answer: tuple[str, Any] = ("done", fetch_here(request_list, policy, concurrency=concurrency))
        except Exception as exc:  # noqa: BLE001  (the parent fetches in-process instead and sees it)
            answer = ("failed", repr(exc))
        processes.send(outcomes, answer)
