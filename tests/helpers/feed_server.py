"""Feeds served by a real HTTP server on 127.0.0.1 for the desk's tests (the fixtures
``http_server`` and ``feed_site`` are in tests/conftest.py), and the desk's commands read back."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path

Handler = Callable[[Request], Response]


@dataclass
class FeedSite:
    """Feeds served at paths, each with an ETag; a conditional GET that matches gets 304.

    ``route`` puts any other behaviour at a path (an error, a hang, a redirect…). ``log``
    keeps (path, If-None-Match) of every request, in order.
    """

    server: HTTPServer
    release: threading.Event
    feeds: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)
    routes: dict[str, Handler] = field(default_factory=dict)
    log: list[tuple[str, str | None, dict[str, str]]] = field(default_factory=list)

    def put(self, path: str, body: bytes, etag: str, content_type: str = "application/rss+xml") -> str:
        self.feeds[path] = (body, etag, content_type)
        return self.url(path)

    def put_corpus(self, path: str, *parts: str, etag: str = '"v1"') -> str:
        return self.put(path, corpora_path(*parts).read_bytes(), etag)

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def handle(self, request: Request) -> Response:
        self.log.append((request.path, request.headers.get("If-None-Match"), dict(request.headers)))
        if request.path in self.routes:
            return self.routes[request.path](request)
        if request.path not in self.feeds:
            return Response("not here", status=404)
        body, etag, content_type = self.feeds[request.path]
        if request.headers.get("If-None-Match") == etag:
            return Response(b"", status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag})

    def requests_for(self, path: str) -> list[str | None]:
        return [etag for logged, etag, _headers in self.log if logged == path]


def add_source(cli: Cli, name: str, url: str, *extra: str) -> None:
    cli.ok("source", "add", name, url, "--allow-private", *extra)


def fetch_json(cli: Cli, *args: str, code: int = 0, clock: str | None = None) -> dict[str, dict[str, Any]]:
    """``fetch --format json`` by source name (``clock``: as if run then); the exit code checked."""
    result = cli("fetch", "--format", "json", *args, env={"BALITA_CLOCK": clock} if clock else None)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    return {run["source"]: run for run in json.loads(result.stdout)}


def articles(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    return list(cli.json("list", "--format", "json", *extra))


def ph_news(feed_site: FeedSite, cli: Cli) -> None:
    """The three Philippine outlets of the corpora, followed by the desk."""
    add_source(cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"))
    add_source(cli, "GMA News", feed_site.put_corpus("/gma.xml", "feeds", "ph-news", "gmanews.xml"))
    abs_cbn = feed_site.put_corpus("/abscbn.xml", "feeds", "ph-news", "abscbnnews.xml")
    add_source(cli, "ABS-CBN News", abs_cbn, "--lang", "fil")
