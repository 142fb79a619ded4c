"""JSON Feed 1.1: items with ``external_url`` for the source and a per-item ``language``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.atom import last_change
from balita_cli.formats.base import Capabilities, Writer, article_guid, categories, feed_url, public_records
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.streaming import write_json_object
from balita_cli.records import Record

VERSION = "https://jsonfeed.org/version/1.1"


def feed_item(record: Record, site: Site) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": article_guid(record, site),
        "url": record["url"],
        "title": clean_text(record["title"]),
        "content_html": article_html(record),
        "summary": plain_text(record),
        "language": record.get("language") or site.language,
    }
    if record.get("source_url"):
        item["external_url"] = record["source_url"]
    if record.get("image_url"):
        item["image"] = record["image_url"]
    if record.get("published_at"):
        item["date_published"] = record["published_at"]
    if record.get("updated_at"):
        item["date_modified"] = last_change(record)
    if record.get("authors"):
        item["authors"] = [{"name": name} for name in record["authors"]]
    if categories(record):
        item["tags"] = categories(record)
    return item


def feed_head(site: Site, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": VERSION,
        "title": options.get("title") or site.name,
        "home_page_url": site.base_url,
        "feed_url": feed_url(site, options, "feed.json"),
        "description": site.description,
        "language": site.language,
        "authors": [{"name": site.publisher}],
    }


class JsonFeedWriter(Writer):
    name = "jsonfeed"
    extension = ".json"
    media_type = "application/feed+json"
    capabilities = Capabilities(public=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        items: Iterator[dict[str, Any]] = (feed_item(r, site) for r in public_records(records))
        return write_json_object(stream, feed_head(site, options), "items", items)


WRITER = JsonFeedWriter()
