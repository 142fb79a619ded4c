"""The preview server of ``balita serve``: a built folder over HTTP on 127.0.0.1, rebuilt when
the database changes.

The command hands it ``version()`` (a fingerprint of the database) and ``rebuild()``; a poller
thread rebuilds when the version moves, and a script in every preview page reloads it after a
build. Pages are served ``no-store``, folders list nothing, a missing file gets the site's 404
page, and nothing outside the folder is reachable. Only requests naming the preview itself in
``Host`` are answered, so a page elsewhere cannot read drafts by DNS rebinding; connections are
capped and an idle one is closed, so a stalled client cannot pin threads."""

from __future__ import annotations

import functools
import http.server
import mimetypes
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from balita_cli.errors import BalitaError, InvalidInput

VERSION_PATH = "/__balita/version"
HOST = "127.0.0.1"
MAX_CONNECTIONS = 64  # a browser opens about six per host; a few tabs fit many times over
IDLE_SECONDS = 10  # a request not sent in full by then is dropped
EXTRA_TYPES = {
    ".wasm": "application/wasm",
    ".pf_meta": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".js": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".webp": "image/webp",
}


@dataclass
class PreviewState:
    """What the server and the poller share."""

    generation: int = 0
    last_version: str | None = None
    last_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def allowed_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values that name this preview (a browser leaves out port 80)."""
    names = (HOST, "localhost")
    hosts = {f"{name}:{port}" for name in names}
    return frozenset(hosts | set(names)) if port == 80 else frozenset(hosts)


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: PreviewState
    server: _Server
    timeout = IDLE_SECONDS

    def __init__(self, *args: Any, state: PreviewState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    extensions_map = {**mimetypes.types_map, **EXTRA_TYPES, "": "application/octet-stream"}

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in allowed_hosts(self.server.server_port):
            self.send_error(421, "This preview answers only to its own address", f"Open {self.server_url()}")
            return False
        if any(ord(character) < 32 for character in urllib.parse.unquote(self.path)):
            self.send_error(400, "Bad path")
            return False
        return True

    def server_url(self) -> str:
        return f"http://{HOST}:{self.server.server_port}/"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for the editor's messages, not a request log

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802  (the name http.server calls)
        if self.path.split("?", 1)[0] == VERSION_PATH:
            body = str(self.state.generation).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def list_directory(self, path: Any) -> None:
        self.send_error(404)  # a folder without index.html lists nothing
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: refused at once rather than queued behind idlers
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser that drops a connection half way is not the editor's concern


class PreviewServer:
    """``start()`` builds once and listens; ``stop()`` (or the end of ``run()``) frees the port."""

    def __init__(
        self,
        folder: Path,
        *,
        rebuild: Callable[[], Any],
        version: Callable[[], str],
        port: int = 0,
        poll: float = 1.0,
        on_build: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.rebuild = rebuild
        self.version = version
        self.poll = poll
        self.on_build = on_build or (lambda report: None)
        self.on_error = on_error or (lambda message: None)
        self.state = PreviewState()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._serving: threading.Thread | None = None
        handler = functools.partial(_Handler, directory=str(folder), state=self.state)
        try:
            self.server = _Server((HOST, port), handler)
        except OSError as exc:
            raise InvalidInput(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def check(self) -> bool:
        """Rebuild when the database changed since the last build; True when it did."""
        version = self.version()
        if version == self.state.last_version:
            return False
        try:
            report = self.rebuild()
        except BalitaError as exc:
            if exc.message != self.state.last_error:
                self.on_error(exc.message)
            self.state.last_error = exc.message
            return False
        with self.state.lock:
            self.state.last_version = version
            self.state.last_error = ""
            self.state.generation += 1
        self.on_build(report)
        return True

    def start(self) -> None:
        self.check()
        self._serving = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, name="balita-preview-http", daemon=True
        )
        self._serving.start()
        self._poller = threading.Thread(target=self._poll, name="balita-preview-poll", daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001  (a database outage must not end the preview)
                message = f"cannot rebuild the preview: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                if message != self.state.last_error:
                    self.on_error(message)
                self.state.last_error = message

    def stop(self) -> None:
        self._stop.set()
        if self._serving is not None:
            self.server.shutdown()
        self.server.server_close()
        for thread in (self._poller, self._serving):
            if thread is not None:
                thread.join(timeout=10)

    def run(self) -> None:
        """Serve until Ctrl-C (or SIGTERM turned into KeyboardInterrupt by the caller)."""
        try:
            self.start()
            while not self._stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
