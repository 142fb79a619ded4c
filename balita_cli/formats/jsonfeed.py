"""JSON Feed 1.1: items with ``external_url`` for the source and a per-item ``language``.

The feed and every item with a byline carry both 1.1's ``authors`` and 1.0's ``author``, which
the specification allows, for readers of either version. An item's ``image`` is its library
photo as the site serves it, else its ``image_url``; there are no ``attachments``, which are for
files to download. Every URL passes ``links.web_url``; one that does not is left out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.atom import last_change
from balita_cli.formats.base import Capabilities, Writer, article_guid, categories, feed_url, hubs, public_records
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.links import lead_image, site_url, web_url
from balita_cli.formats.streaming import write_json_object
from balita_cli.records import Record, credited_outlet

VERSION = "https://jsonfeed.org/version/1.1"


def byline(names: list[str]) -> dict[str, str]:
    """JSON Feed 1.0's single ``author``: the byline's names in one."""
    return {"name": ", ".join(clean_text(name) for name in names)}


def feed_item(record: Record, site: Site) -> dict[str, Any]:
    item: dict[str, Any] = {"id": article_guid(record, site)}
    url = web_url(record.get("url"))
    if url:
        item["url"] = url
    item.update(
        title=clean_text(record["title"]),
        content_html=article_html(record),
        summary=plain_text(record),
        language=record.get("language") or site.language,
    )
    external = web_url(record.get("source_url"))
    if external:
        item["external_url"] = external
    image = lead_image(record, site)
    if image is not None:
        item["image"] = image.url
    if record.get("published_at"):
        item["date_published"] = record["published_at"]
    if record.get("updated_at"):
        item["date_modified"] = last_change(record)
    if record.get("authors"):
        item["authors"] = [{"name": clean_text(name)} for name in record["authors"]]
        item["author"] = byline(record["authors"])
    elif credited_outlet(record):  # a desk story: the outlet, with its story's address
        outlet = {"name": clean_text(credited_outlet(record))}
        if external:
            outlet["url"] = external
        item["authors"], item["author"] = [outlet], outlet
    if categories(record):
        item["tags"] = categories(record)
    return item


def feed_head(site: Site, options: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {
        "version": VERSION,
        "title": options.get("title") or site.name,
        "home_page_url": site_url(site),
    }
    own = web_url(feed_url(site, options, "feed.json"))
    if own:
        head["feed_url"] = own
    found = hubs(options)
    if found:  # WebSub
        head["hubs"] = [{"type": "WebSub", "url": hub} for hub in found]
    publisher = {"name": site.publisher.name, "url": site_url(site)}
    head.update(
        description=site.description,
        language=site.language,
        authors=[publisher],
        author=publisher,
    )
    return head


class JsonFeedWriter(Writer):
    name = "jsonfeed"
    description = "JSON Feed 1.1"
    extension = ".json"
    media_type = "application/feed+json"
    capabilities = Capabilities(public=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        items: Iterator[dict[str, Any]] = (feed_item(r, site) for r in public_records(records))
        return write_json_object(stream, feed_head(site, options), "items", items)


WRITER = JsonFeedWriter()
