"""How long a fetch waits on servers that do not answer well: the figures the network tests leave
out of their verdicts.

    python benchmarks/deadlines.py [--json benchmarks/results/deadlines.json]

The tests check that each of these ends in its one-line error (the deadline, the size limit);
how long it took is measured here, each once, against servers on 127.0.0.1 started by this
script (``fetch`` in this process, ``balita fetch`` as a whole process):

- a server that hangs, one that trickles a byte at a time, five redirects that take 0.4 s each,
  and a name lookup that hangs, each under a deadline of 1 s (expected: about 1 s, not the 20 s
  the server would take);
- a 50 MB body refused at a 1 MB limit, and a Content-Length over the limit refused before a body
  that never comes (expected: well under the 5 s deadline);
- five outlets that each answer after 0.5 s, fetched together (one after another: 2.5 s);
- ``balita fetch --timeout 1`` of three outlets and five hostile servers (a hang, a trickle, a
  50 MB body, a server error, an HTML page): a hang costs one deadline, not one per source.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from balita_cli.net import FetchError, FetchPolicy, fetch, fetch_many  # noqa: E402
from benchmarks.desk import rss, serving  # noqa: E402
from benchmarks.report import machine_info  # noqa: E402

MB = 1024 * 1024
DEADLINE = FetchPolicy(allow_private=True, deadline=1.0)
BALITA_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "NO_COLOR", "BALITA_CLOCK")


class Behaviours:
    """What the server does at each path, and an event that lets hanging handlers go."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                route = routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_error(404)
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: that is what is measured

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


def answer(
    handler: BaseHTTPRequestHandler, body: bytes, *, status: int = 200, kind: str = "application/rss+xml"
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def stream(handler: BaseHTTPRequestHandler, chunks: Iterator[bytes], headers: dict[str, str] | None = None) -> None:
    """A chunked answer, as long as ``chunks`` goes on."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    for name, value in (headers or {"Transfer-Encoding": "chunked"}).items():
        handler.send_header(name, value)
    handler.end_headers()
    chunked = headers is None
    for chunk in chunks:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        handler.wfile.flush()
    if chunked:
        handler.wfile.write(b"0\r\n\r\n")


def hostile_routes(behaviours: Behaviours) -> None:
    release = behaviours.release

    def hang(handler: BaseHTTPRequestHandler) -> None:
        release.wait(20)
        answer(handler, b"too late")

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        stream(handler, (b"<" for _ in range(200) if not release.wait(0.1)))

    def fifty_megabytes(handler: BaseHTTPRequestHandler) -> None:
        chunk = b"<item/>" * (64 * 1024 // 7)
        stream(handler, (chunk for _ in range(50 * MB // len(chunk)) if not release.is_set()))

    def never_sent(handler: BaseHTTPRequestHandler) -> None:
        stream(handler, (b"<" for _ in range(1) if not release.wait(20)), {"Content-Length": str(50 * MB)})

    def slow_redirect(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.4)
        hop = int(handler.path.removeprefix("/hop")) + 1
        handler.send_response(302)
        handler.send_header("Location", f"/hop{hop}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def slow_outlet(handler: BaseHTTPRequestHandler) -> None:
        release.wait(0.5)
        answer(handler, rss("Outlet", []))

    behaviours.routes |= {"/hang": hang, "/trickle": trickle, "/huge": fifty_megabytes, "/never-sent": never_sent}
    behaviours.routes |= {f"/hop{hop}": slow_redirect for hop in range(6)}
    behaviours.routes |= {"/slow": slow_outlet}
    behaviours.routes["/error"] = lambda handler: answer(handler, b"oops", status=500, kind="text/plain")
    behaviours.routes["/page"] = lambda handler: answer(handler, b"<!DOCTYPE html><html>News</html>", kind="text/html")


def refused_after(url: str, policy: FetchPolicy) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        fetch(url, policy)
    except FetchError as error:
        return time.perf_counter() - started, error.reason
    raise SystemExit(f"{url} was fetched: the benchmark's server did not misbehave")


@contextmanager
def hanging_name_lookup(name: str, release: threading.Event) -> Iterator[None]:
    """``name`` takes as long to resolve as ``release`` takes to be set (this process only)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            release.wait(20)
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real


def fetch_figures(bases: list[str], release: threading.Event) -> dict[str, tuple[float, str]]:
    base = bases[0]
    fetch(f"{base}/slow", DEADLINE)  # loads the network code once, outside the figures
    figures = {
        "a hanging server, 1 s deadline": refused_after(f"{base}/hang", DEADLINE),
        "a trickling server, 1 s deadline": refused_after(f"{base}/trickle", DEADLINE),
        "five redirects of 0.4 s, 1 s deadline": refused_after(
            f"{base}/hop0", FetchPolicy(allow_private=True, deadline=1.0, max_redirects=5)
        ),
        "50 MB refused at a 1 MB limit": refused_after(f"{base}/huge", FetchPolicy(allow_private=True, max_bytes=MB)),
        "Content-Length over the limit, 5 s deadline": refused_after(
            f"{base}/never-sent", FetchPolicy(allow_private=True, max_bytes=MB, deadline=5.0)
        ),
    }
    with hanging_name_lookup("slow-dns.example", release):
        figures["a hanging name lookup, 1 s deadline"] = refused_after("http://slow-dns.example/rss", DEADLINE)
    requests = [(number, f"{outlet}/slow", None) for number, outlet in enumerate(bases[:5])]
    started = time.perf_counter()
    outcomes = fetch_many(requests, FetchPolicy(allow_private=True, deadline=5.0), concurrency=5)
    failed = sum(isinstance(outcome, FetchError) for outcome in outcomes.values())
    figures["five outlets of 0.5 s each, fetched together"] = (time.perf_counter() - started, f"{failed} failed")
    return figures


def desk_figure(bases: list[str], folder: Path) -> tuple[float, str]:
    """``balita fetch --timeout 1`` of three outlets and five hostile servers, each a server of its
    own, as one process."""
    env = {key: value for key, value in os.environ.items() if key not in BALITA_ENV}
    env |= {"BALITA_DATABASE_URL": f"sqlite:///{folder / 'balita.db'}", "BALITA_USER": "benchmark"}

    def balita(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "balita_cli", *args]
        return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)

    balita("db", "upgrade")
    paths = ("/slow", "/slow", "/slow", "/hang", "/trickle", "/huge", "/error", "/page")
    for number, (base, path) in enumerate(zip(bases, paths, strict=True)):
        balita("source", "add", f"Source {number} {path}", f"{base}{path}", "--allow-private")
    started = time.perf_counter()
    done = balita("fetch", "--timeout", "1", "--format", "json")
    elapsed = time.perf_counter() - started
    failed = sum(run["result"] == "failed" for run in json.loads(done.stdout or "[]"))
    return elapsed, f"exit {done.returncode}, {failed} of 8 sources failed"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    options = parser.parse_args(argv)
    behaviours = Behaviours()
    hostile_routes(behaviours)
    with ExitStack() as servers:
        bases = [servers.enter_context(serving(behaviours.handler())) for _ in range(8)]
        servers.callback(behaviours.release.set)  # lets hanging handlers go before the servers stop
        figures = fetch_figures(bases, behaviours.release)
        with tempfile.TemporaryDirectory(prefix="balita-deadlines-") as folder:
            desk = desk_figure(bases, Path(folder))
        figures["balita fetch --timeout 1, three outlets and five hostile servers"] = desk
    width = max(map(len, figures))
    for name, (elapsed, outcome) in figures.items():
        print(f"{name:<{width}}  {elapsed:6.2f} s  {outcome}")  # noqa: T201
    if options.json:
        document = {"machine": machine_info(), "date": datetime.now(UTC).isoformat(timespec="seconds")}
        document["figures"] = {
            name: {"seconds": elapsed, "outcome": outcome} for name, (elapsed, outcome) in figures.items()
        }
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
