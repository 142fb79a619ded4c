"""RSS 2.0 with Dublin Core creators and the full item HTML in content:encoded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.formats.base import Capabilities, Writer, article_guid, categories, feed_url, public_records
from balita_cli.formats.html import article_html, plain_text
from balita_cli.formats.xmlstream import element, rfc822, sub, xml_document
from balita_cli.records import Record

DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
NSMAP = {"dc": DC, "content": CONTENT, "atom": ATOM}


def item_element(record: Record, site: Site) -> Any:
    # lxml's incremental writer serialises each item on its own, so the item declares its prefixes.
    item = element("item", {"dc": DC, "content": CONTENT})
    sub(item, "title", record["title"])
    sub(item, "link", record["url"])
    sub(item, "guid", article_guid(record, site), isPermaLink="false")
    if record.get("published_at"):
        sub(item, "pubDate", rfc822(record["published_at"]))
    for author in record.get("authors") or []:
        sub(item, f"{{{DC}}}creator", author)
    for name in categories(record):
        sub(item, "category", name)
    sub(item, "description", plain_text(record))
    sub(item, f"{{{CONTENT}}}encoded", article_html(record))
    sub(item, f"{{{DC}}}language", record.get("language"))
    if record.get("source_url"):
        sub(
            item,
            "source",
            record.get("source_name") or record["source_url"],
            url=record["source_url"],
        )
    return item


class RssWriter(Writer):
    name = "rss"
    extension = ".xml"
    media_type = "application/rss+xml"
    capabilities = Capabilities(public=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        count = 0
        with xml_document(stream) as document:
            with document.element("rss", {"version": "2.0"}, nsmap=NSMAP):
                with document.element("channel"):
                    document.write(*self.channel_head(site, options), pretty_print=True)
                    for record in public_records(records):
                        document.write(item_element(record, site), pretty_print=True)
                        count += 1
        return count

    @staticmethod
    def channel_head(site: Site, options: dict[str, Any]) -> list[Any]:
        """title, link, description… written as one block before the items."""
        from lxml import etree

        head = etree.Element("head")
        sub(head, "title", options.get("title") or site.name)
        sub(head, "link", site.base_url)
        sub(head, "description", site.description)
        sub(head, "language", site.language)
        sub(head, "generator", f"balita {__version__}")
        if site.contact:
            sub(head, "managingEditor", f"{site.contact} ({site.publisher})")
        self_url = feed_url(site, options, "feed.xml")
        attributes = {"href": self_url, "rel": "self", "type": "application/rss+xml"}
        head.append(etree.Element(f"{{{ATOM}}}link", attributes, nsmap={"atom": ATOM}))
        return list(head)


WRITER = RssWriter()
