"""The newsletter's web endpoint: one-click unsubscribing (RFC 8058) and the pages behind the
links in the mail. Run it behind the site's web server at ``<base_url>/newsletter/``::

    gunicorn --bind 127.0.0.1:8025 'balita_cli.wsgi.newsletter:app'     (or: balita newsletter serve)

- ``POST …/unsubscribe?token=T`` (what a mailbox provider sends for the ``List-Unsubscribe-Post``
  header, or the page's button): takes the address off its list.
- ``GET …/unsubscribe?token=T``: a page with that button; a GET changes nothing, because mail
  scanners and link previews open every link.
- ``GET``/``POST …/confirm?token=T``: the same for confirming a subscription (double opt-in).

The site and database are found as the command finds them (``BALITA_SITE``,
``BALITA_DATABASE_URL``), when the first request comes, never at import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from balita_cli.errors import BalitaError, Conflict, NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from balita_cli.config import Settings
    from balita_cli.services.newsletter.subscribers import Membership

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
MAX_BODY = 4096
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
]
STATUS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found", 405: "405 Method Not Allowed"}
STATUS[409] = "409 Conflict"
STATUS[503] = "503 Service Unavailable"


@dataclass
class Endpoint:
    """The app: settings and the database engine made on the first request."""

    site_option: str | None = None
    db_option: str | None = None
    _ready: tuple[Settings, Engine] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _open(self) -> tuple[Settings, Engine]:
        with self._lock:
            if self._ready is None:
                from balita_cli.config import load_settings
                from balita_cli.db.engine import create_db_engine

                settings = load_settings(self.db_option, self.site_option)
                self._ready = (settings, create_db_engine(settings.require_database()))
            return self._ready

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "")).rstrip("/")
        action = path.rpartition("/")[2]
        if action not in ("unsubscribe", "confirm"):
            return _answer(start_response, 404, "<!DOCTYPE html><title>Not found</title><p>Not found.</p>")
        if method not in ("GET", "HEAD", "POST"):
            start_response(STATUS[405], [*HEADERS, ("Allow", "GET, HEAD, POST")])
            return [b""]
        token = _token(environ, method)
        try:
            settings, engine = self._open()
            code, page = self._handle(settings, engine, action, method, token, path)
        except BalitaError as exc:  # no site, the database down or refusing: the reader may try again later
            code, page = 503, f"<!DOCTYPE html><title>Try again later</title><p>{_escape(exc.message)}</p>"
        body = _answer(start_response, code, page)
        return [b""] if method == "HEAD" else body

    def _handle(
        self, settings: Settings, engine: Engine, action: str, method: str, token: str, path: str
    ) -> tuple[int, str]:
        from balita_cli.db.engine import session_scope
        from balita_cli.services.newsletter import subscribers
        from balita_cli.services.retry import retry_in_session
        from balita_cli.site.newsletter import Chrome, page
        from balita_cli.words import words_for

        def chrome(membership: Membership | None) -> Chrome:
            return Chrome(
                settings.site.name,
                settings.site.base_url,
                membership.list_title if membership else "",
                membership.language if membership else settings.site.language,
                "",
                settings.site.tz,
            )

        unsubscribing = action == "unsubscribe"
        try:
            if method == "POST":
                change = subscribers.unsubscribe if unsubscribing else subscribers.confirm
                done = retry_in_session(lambda: session_scope(engine, write=True), lambda s: change(s, token))
                words = words_for(done.language)
                said = words["nl_unsubscribed" if unsubscribing else "nl_confirmed"]
                heading = words["nl_unsubscribe_title" if unsubscribing else "nl_confirm_title"]
                return 200, page(chrome(done), heading=heading, text=f"{said} {done.list_title}.")
            with session_scope(engine) as session:
                found = subscribers.look_up(session, token, unsubscribe=unsubscribing)
        except NotFound:
            words = words_for(settings.site.language)
            return 404, page(chrome(None), heading=words["nl_bad_link"], text=words["nl_bad_link"])
        except Conflict as exc:
            return 409, page(chrome(None), heading=settings.site.name, text=exc.message)
        words = words_for(found.language)
        prefix = "nl_unsubscribe" if unsubscribing else "nl_confirm"
        heading = words[f"{prefix}_title"] if unsubscribing else words["nl_confirm_title"]
        return 200, page(
            chrome(found),
            heading=heading,
            text=f"{words[prefix + '_text']} {found.list_title} ({found.email}).",
            button=words[f"{prefix}_button"],
            action=f"{path.rpartition('/')[2]}?token={token}",
            token=token,
        )


def _token(environ: dict[str, Any], method: str) -> str:
    """The token from the query (one-click POSTs carry it in the URL) or the page's form."""
    found = parse_qs(str(environ.get("QUERY_STRING", "")), max_num_fields=8).get("token", [""])[0]
    if method == "POST" and not found:
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        found = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8).get("token", [""])[0]
    return found[:200]


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _answer(start_response: StartResponse, code: int, page: str) -> list[bytes]:
    body = page.encode("utf-8")
    start_response(STATUS[code], [*HEADERS, ("Content-Length", str(len(body)))])
    return [body]


app = Endpoint()
