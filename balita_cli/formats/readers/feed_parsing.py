"""Reading a feed document: RSS 2.0, Atom or JSON Feed 1.0/1.1 bytes into plain ``Entry`` values.

The bytes are sniffed first: JSON is read as a JSON Feed, an HTML page (an outlet's home page
given instead of its feed) is one clear error, and XML is checked by defusedxml before feedparser
reads it. Each entry is known by its guid, else its link, else a hash of its content; only a real
picture is its image, never a video player."""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import html_to_text
from balita_cli.formats.readers.base import Rejected, parse_time, plain_name
from balita_cli.schema import is_web_url, strip_controls

MAX_KEY_LENGTH = 400  # longer guids are known by their hash (the external id column holds 500)
MAX_ENTRY_TAGS = 20  # a feed's own categories kept per entry
# Where a feed's host names a platform, not an outlet: the channel's name is credited instead.
PLATFORM_HOSTS = frozenset(
    "youtube.com youtu.be vimeo.com dailymotion.com soundcloud.com anchor.fm "
    "feeds.feedburner.com feedproxy.google.com podcasts.apple.com spotify.com".split()
)
JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")


# ---------------------------------------------------------------- what a feed holds


@dataclass(frozen=True)
class Entry:
    """One item of a feed, as plain values."""

    key: str
    """The entry's guid/id, else its link, else a hash of its content; ``feed:<key>`` is its external id."""
    title: str
    link: str
    """The story at the outlet: an http(s) URL, or ""."""
    html: str
    """The outlet's text (its full content where the feed has it, else its description), as HTML."""
    summary: str
    """The feed's own description, as plain text."""
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    image: str = ""
    published: datetime | None = None
    notes: tuple[str, ...] = ()

    @property
    def external_id(self) -> str:
        return f"feed:{self.key}"


@dataclass(frozen=True)
class Feed:
    kind: str  # "rss", "atom" or "json"
    outlet: str  # who the feed says it is: its site's host, or a platform channel's name
    entries: list[Entry] = field(default_factory=list)
    skipped: list[Rejected] = field(default_factory=list)  # items that could not be read at all


# ---------------------------------------------------------------- reading bytes


_BOMS = (b"\xef\xbb\xbf",)
_PROLOGUE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!(?!--)[^<>]*>)", re.S)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w:.-]*)")


def sniff(data: bytes, media_type: str = "") -> str:
    """ "json", "html", "xml" or "empty": what the bytes are, whatever the server called them."""
    head = data[:4096]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    head = head.lstrip()
    if not head:
        return "empty"
    if head[:1] in (b"{", b"["):
        return "json"
    position = 0
    while True:  # the XML declaration, comments, processing instructions and a doctype
        prologue = _PROLOGUE.match(head, position)
        if prologue is None:
            break
        if re.match(rb"<!doctype\s+html", prologue.group(0).strip(), re.I):
            return "html"
        position = prologue.end()
    root = _ROOT.match(head, position)
    name = root.group(1).lower() if root else b""
    if name == b"html" or (not name and media_type in {"text/html", "application/xhtml+xml"}):
        return "html"
    return "xml"


def parse_feed(data: bytes, *, media_type: str = "", address: str = "") -> Feed:
    """The feed in ``data``; InvalidInput (one line, without the address) when it is not one.

    ``address`` is where it came from (a URL or a file), for the outlet's name when the feed
    has no link of its own.
    """
    kind = sniff(data, media_type)
    if kind == "empty":
        raise InvalidInput("empty: not a feed")
    if kind == "html":
        raise InvalidInput("an HTML page, not a feed (is this the feed's address? its page links to it)")
    if kind == "json":
        return _json_feed(data, address)
    return _xml_feed(data, address)


# ---------------------------------------------------------------- RSS and Atom


def _refuse_hostile_xml(data: bytes) -> None:
    """Entity bombs and external entities are refused before feedparser sees the bytes.

    Only the hardened parse's security verdict counts: a merely ill-formed feed is left to
    feedparser, which reads many of them.
    """
    try:
        fromstring(data)
    except DefusedXmlException as exc:
        raise InvalidInput(f"refused unsafe XML ({type(exc).__name__}): {exc}") from None
    except (ParseError, ValueError, RecursionError):
        pass


def _xml_feed(data: bytes, address: str) -> Feed:
    _refuse_hostile_xml(data)
    parsed = feedparser.parse(data)
    if not parsed.entries and not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        raise InvalidInput(f"not an RSS, Atom or JSON feed{f' ({reason})' if reason else ''}")
    kind = "atom" if str(parsed.get("version", "")).startswith("atom") else "rss"
    feed = parsed.feed
    author = feed.get("author_detail") or {}
    outlet = outlet_name(
        str(feed.get("link") or address),
        str(author.get("name") or feed.get("author") or ""),
        str(feed.get("title") or ""),
    )
    entries = [_xml_entry(feed, entry) for entry in parsed.entries]
    return Feed(kind, outlet, entries)


def _xml_entry(feed: Any, entry: Any) -> Entry:
    content = entry.get("content") or []
    body = str(content[0].get("value", "")) if content else str(entry.get("summary", ""))
    link = str(entry.get("link", "")).strip()
    key = str(entry.get("id") or "") or link or _content_key(feed, entry)
    return Entry(
        key=_bounded_key(key),
        title=plain_text(str(entry.get("title", ""))),
        link=link if is_web_url(link) else "",
        html=body,
        summary=plain_text(str(entry.get("summary", ""))),
        tags=_names(str(tag.get("term", "")) for tag in entry.get("tags") or []),
        authors=_names(str(author.get("name", "")) for author in entry.get("authors") or []),
        image=_image(entry),
        published=_time(entry.get("published_parsed") or entry.get("updated_parsed")),
    )


def _content_key(feed: Any, entry: Any) -> str:
    """An entry with neither a guid nor a link is known by its feed and content, so reading the
    same feed again still recognises it."""
    content = entry.get("content") or [{}]
    parts = [feed.get("link", ""), feed.get("title", ""), entry.get("title", ""), entry.get("summary", "")]
    parts.append(content[0].get("value", ""))
    return "sha256:" + hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8", "replace")).hexdigest()


def _time(value: Any) -> datetime | None:
    """feedparser's time tuples are UTC."""
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None
    except (OverflowError, OSError, ValueError, TypeError):
        return None


def is_image(media: Mapping[str, Any]) -> bool:
    """Only a real picture counts: media:content says medium="image" or an image/* type. A video
    player (YouTube's Flash URL) is not one; a media:thumbnail always is."""
    return media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")


def _image(entry: Any) -> str:
    candidates = [media for media in entry.get("media_content") or [] if is_image(media)]
    candidates += list(entry.get("media_thumbnail") or [])
    candidates += [
        {"url": link.get("href")}
        for link in entry.get("links") or []
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    for media in candidates:
        url = str(media.get("url") or "").strip()
        if is_web_url(url):
            return url
    return ""


# ---------------------------------------------------------------- JSON Feed


def _json_feed(data: bytes, address: str) -> Feed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"a JSON document that is not UTF-8 (byte {exc.start}): not a JSON Feed") from None
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"not valid JSON ({str(exc).splitlines()[0][:80]}): not a feed") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise InvalidInput('JSON, but not a JSON Feed (no "version": "https://jsonfeed.org/version/1.1")')
    if version.rstrip("/") not in JSON_FEED_VERSIONS:
        raise InvalidInput(f"JSON Feed {_text(version)[:60]!r} is not a version balita reads (1 or 1.1)")
    assert isinstance(document, dict)
    authors = _json_authors(document)
    outlet = outlet_name(
        _text(document.get("home_page_url")) or _text(document.get("feed_url")) or address,
        authors[0] if authors else "",
        _text(document.get("title")),
    )
    items = document.get("items")
    if not isinstance(items, list):
        raise InvalidInput('a JSON Feed without an "items" list')
    entries: list[Entry] = []
    skipped: list[Rejected] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            skipped.append(Rejected(f"item {position}", f"an item is an object, not {type(item).__name__}"))
            continue
        entries.append(_json_entry(item, tuple(authors)))
    return Feed("json", outlet, entries, skipped)


def _text(value: Any) -> str:
    """A JSON value that should be a string; anything else is nothing."""
    return strip_controls(value).strip() if isinstance(value, str) else ""


def _json_authors(holder: Mapping[str, Any]) -> list[str]:
    """``authors`` (1.1) or ``author`` (1.0), by name."""
    found = holder.get("authors")
    people = found if isinstance(found, list) else [holder.get("author")]
    return list(_names(_text(person.get("name")) for person in people if isinstance(person, dict)))


def _json_entry(item: Mapping[str, Any], feed_authors: tuple[str, ...]) -> Entry:
    notes: list[str] = []
    identifier = item.get("id")
    key = str(identifier) if isinstance(identifier, str | int) and not isinstance(identifier, bool) else ""
    link = next((url for url in (_text(item.get("url")), _text(item.get("external_url"))) if is_web_url(url)), "")
    html = _text(item.get("content_html"))
    if not html and _text(item.get("content_text")):
        html = "".join(f"<p>{_escape(part)}</p>" for part in re.split(r"\n\s*\n", _text(item.get("content_text"))))
    published = None
    for name in ("date_published", "date_modified"):
        if _text(item.get(name)):
            try:
                published = parse_time(_text(item.get(name)), UTC)
            except InvalidInput as exc:
                notes.append(f"{name}: {exc.message}; left out")
            break
    image = next((url for url in (_text(item.get("image")), _text(item.get("banner_image"))) if is_web_url(url)), "")
    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    parts = [_text(item.get(name)) for name in ("title", "url", "content_html", "content_text", "summary")]
    content_key = "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()
    return Entry(
        key=_bounded_key(strip_controls(key).strip() or link or content_key),
        title=plain_text(_text(item.get("title"))),
        link=link,
        html=html or _escape(_text(item.get("summary"))),
        summary=plain_text(_text(item.get("summary"))),
        tags=_names(_text(tag) for tag in tags or []),
        authors=tuple(_json_authors(item)) or feed_authors,
        image=image,
        published=published,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------- shared helpers


def plain_text(fragment: str) -> str:
    """What a person reads of an HTML fragment, line breaks read as spaces (html_to_text would
    drop them with the other control characters, gluing "below:\nhttp://…" into one word)."""
    return html_to_text(" ".join(fragment.split()))


def _escape(text: str) -> str:
    return escape(text, quote=False)


def _bounded_key(key: str) -> str:
    key = " ".join(strip_controls(key).split())
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _names(values: Any) -> tuple[str, ...]:
    names = [name for value in values if (name := plain_name(plain_text(str(value))))]
    return tuple(dict.fromkeys(names))[:MAX_ENTRY_TAGS]


def host_of(url: str) -> str:
    """``philstar.com`` for https://www.philstar.com/rss/headlines ("" when it has none)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.").removeprefix("m.")


def outlet_name(link: str, author: str, title: str) -> str:
    """Who a feed is from: its site's host, or on a platform (YouTube…) the channel's name."""
    host = host_of(link)
    on_platform = any(host == platform or host.endswith(f".{platform}") for platform in PLATFORM_HOSTS)
    if on_platform or not host:
        name = plain_name(plain_text(author)) or plain_name(plain_text(title))
        if name:
            return name[:200]
    return host


class FeedSource:
    """The ``feed`` source type (``formats/sources.py``): RSS, Atom and JSON Feed."""

    name = "feed"

    def reads(self, body: bytes, media_type: str) -> bool:
        return sniff(body, media_type) in {"json", "xml"}

    def read(self, body: bytes, media_type: str, address: str) -> Feed:
        return parse_feed(body, media_type=media_type, address=address)


SOURCE_TYPE = FeedSource()
