"""RSS 2.0 and Atom feeds (a file or an http(s) URL), parsed with feedparser, for aggregation.

Every entry becomes a draft for an editor to review, credited to the outlet it came from: the
entry link is the source URL, the feed's site host the source name. The entry id (guid), else
its link, identifies it, so re-reading a feed adds only what is new.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import html_to_text, sanitize
from balita_cli.formats.readers.base import Reader, ReadItem, ReadOptions
from balita_cli.schema import ArticleInput, is_web_url
from balita_cli.workflow import Status

FETCH_TIMEOUT_SECONDS = 30
MAX_FEED_BYTES = 50 * 1024 * 1024
USER_AGENT = "balita-import (+https://github.com/balita)"


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def _fetch(url: str) -> bytes:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only)
            data: bytes = response.read(MAX_FEED_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise InvalidInput(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from None
    if len(data) > MAX_FEED_BYTES:
        raise InvalidInput(f"{url}: feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    return data


def _load(path: str) -> bytes:
    if is_url(path):
        return _fetch(path)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None


def _refuse_hostile_xml(data: bytes, path: str) -> None:
    """Entity bombs and external entities are refused before feedparser sees the bytes.

    Only the hardened parse's security verdict counts: a merely ill-formed feed is left to
    feedparser, which reads many of them.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data)
    except DefusedXmlException as exc:
        raise InvalidInput(f"{path}: refused unsafe XML ({type(exc).__name__}): {exc}") from None
    except ParseError:
        pass


def site_host(feed: Any, fallback: str) -> str:
    """``philstar.com`` for https://www.philstar.com/rss/headlines."""
    link = feed.get("link") or fallback
    host = urlsplit(link).hostname or ""
    return host.removeprefix("www.")


class FeedReader(Reader):
    name = "feed"
    description = "RSS 2.0 or Atom feed (file or http(s) URL)"

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        import feedparser

        data = _load(path)
        _refuse_hostile_xml(data, path)
        parsed = feedparser.parse(data)
        if not parsed.entries and parsed.get("bozo"):
            raise InvalidInput(f"{path}: not a readable feed ({parsed.get('bozo_exception')})")
        source_name = options.source_name or site_host(parsed.feed, path if is_url(path) else "")
        label = path if is_url(path) else Path(path).name
        for position, entry in enumerate(parsed.entries, start=1):
            origin = f"{label}: entry {position}"
            key = entry.get("id") or entry.get("link") or _content_key(parsed.feed, entry)
            yield _record(entry, origin, f"feed:{key}", source_name)


def _content_key(feed: Any, entry: Any) -> str:
    """An entry with neither a guid nor a link is known by its feed and content, so reading the
    same feed again still recognises it."""
    import hashlib

    content = entry.get("content") or [{}]
    parts = [feed.get("link", ""), feed.get("title", ""), entry.get("title", ""), entry.get("summary", "")]
    parts.append(content[0].get("value", ""))
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _record(entry: Any, origin: str, external_id: str, source_name: str) -> ArticleInput:
    content = entry.get("content") or []
    body_html = content[0].get("value", "") if content else entry.get("summary", "")
    authors = [name for name in (html_to_text(a.get("name", "")) for a in entry.get("authors") or []) if name]
    link = str(entry.get("link", "")).strip()
    return ArticleInput(
        origin=origin,
        title=html_to_text(entry.get("title", "")),
        external_id=external_id,
        body=sanitize(body_html).strip(),
        summary=html_to_text(entry.get("summary", "")),
        tags=[name for tag in entry.get("tags") or [] if (name := html_to_text(tag.get("term", "")))],
        authors=authors,
        status=Status.DRAFT,
        source_name=source_name,
        source_url=link if is_web_url(link) else "",
        image_url=_image(entry),
        published_at=_time(entry.get("published_parsed") or entry.get("updated_parsed")),
    )


def _time(value: Any) -> datetime | None:
    """feedparser's time tuples are UTC."""
    return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None


def is_image(media: dict[str, Any]) -> bool:
    """Only a real picture counts: media:content says medium="image" or an image/* type. A video
    player (YouTube's Flash URL) is not one; a media:thumbnail always is."""
    return media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")


def _image(entry: Any) -> str:
    candidates = [media for media in entry.get("media_content") or [] if is_image(media)]
    candidates += list(entry.get("media_thumbnail") or [])
    candidates += [{"url": link.get("href")} for link in entry.get("links") or []
                   if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")]  # fmt: skip
    for media in candidates:
        url = str(media.get("url") or "").strip()
        if is_web_url(url):
            return url
    return ""


READER = FeedReader()
