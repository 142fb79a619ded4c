"""A plain HTTP server on 127.0.0.1 for the tests of what balita sends out (webhooks, partners'
PUTs, WebSub pings): each request is handed to a function that says which status to answer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method, path, headers with lower-case names, body) -> the status to answer
Answer = Callable[[str, str, dict[str, str], bytes], int]


@contextmanager
def receiving(answer: Answer) -> Iterator[str]:
    """Serve until the block ends; yields the server's base URL (``http://127.0.0.1:<port>``)."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {key.lower(): value for key, value in self.headers.items()}
            status = answer(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        do_POST = do_PUT = _any  # noqa: N815  (http.server's names)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
