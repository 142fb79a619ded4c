"""RSS 2.0 with Dublin Core creators, the full item HTML in content:encoded, and Media RSS.

The summary is HTML-escaped inside CDATA, as most readers read ``<description>`` as HTML;
``<source url>`` names the feed an item came from, as the specification says, and is written
only when that feed is known (the outlet's page goes in ``<dc:source>`` otherwise, never both);
a library photo is an ``<enclosure>`` and a ``<media:content>``."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import IO, Any

from lxml import etree

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.formats.base import Capabilities, Writer, article_guid, categories, feed_url, hubs, public_records
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.links import lead_image, site_url, web_url
from balita_cli.formats.xmlstream import element, rfc822, sub, xml_document
from balita_cli.records import Record

DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
NSMAP = {"dc": DC, "content": CONTENT, "atom": ATOM, "media": MEDIA}


def html_text(parent: Any, tag: str, text: str | None) -> Any:
    """An element whose text readers treat as HTML, holding plain text: escaped, in CDATA."""
    node = sub(parent, tag)
    node.text = etree.CDATA(html.escape(clean_text(text), quote=False))  # no ">" left, so no "]]>"
    return node


def item_element(record: Record, site: Site) -> Any:
    # lxml's incremental writer serialises each item on its own, so the item declares its prefixes.
    item = element("item", {"dc": DC, "content": CONTENT, "media": MEDIA})
    sub(item, "title", record["title"])
    link = web_url(record.get("url"))
    if link:
        sub(item, "link", link)
    sub(item, "guid", article_guid(record, site), isPermaLink="false")
    if record.get("published_at"):
        sub(item, "pubDate", rfc822(record["published_at"]))
    for author in record.get("authors") or []:
        sub(item, f"{{{DC}}}creator", author)
    for name in categories(record):
        sub(item, "category", name)
    html_text(item, "description", plain_text(record))
    sub(item, f"{{{CONTENT}}}encoded", article_html(record))
    sub(item, f"{{{DC}}}language", record.get("language"))
    photo(item, record, site)
    source(item, record)
    return item


def photo(item: Any, record: Record, site: Site) -> None:
    """The library photo as an enclosure and a Media RSS content element; nothing for a
    hot-linked ``image_url`` (another outlet's server: not ours to redistribute)."""
    image = lead_image(record, site, hotlinked=False)
    if image is None or image.media_type is None:
        return
    if image.length:  # required by RSS; a hint (the original's size), so no Media RSS fileSize
        sub(item, "enclosure", url=image.url, length=str(image.length), type=image.media_type)
    media = sub(
        item,
        f"{{{MEDIA}}}content",
        url=image.url,
        type=image.media_type,
        medium="image",
        width=str(image.width),
        height=str(image.height),
    )
    if image.caption or image.alt:  # escaped "html", as Atom's text: a caption about <script> stays words
        sub(media, f"{{{MEDIA}}}description", html.escape(image.caption or image.alt, quote=False), type="html")
    if image.credit:
        sub(media, f"{{{MEDIA}}}credit", image.credit)


def source(item: Any, record: Record) -> None:
    feed = web_url(record.get("source_feed_url"))
    page = web_url(record.get("source_url"))
    if feed:
        sub(item, "source", record.get("source_name") or feed, url=feed)
    elif page:
        sub(item, f"{{{DC}}}source", page)


class RssWriter(Writer):
    name = "rss"
    description = "RSS 2.0"
    extension = ".xml"
    media_type = "application/rss+xml"
    capabilities = Capabilities(public=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        count = 0
        head = self.channel_head(site, options)  # before the document opens: a bad base_url writes nothing
        with xml_document(stream) as document:
            with document.element("rss", {"version": "2.0"}, nsmap=NSMAP):
                with document.element("channel"):
                    document.write(*head, pretty_print=True)
                    for record in public_records(records):
                        document.write(item_element(record, site), pretty_print=True)
                        count += 1
        return count

    @staticmethod
    def channel_head(site: Site, options: dict[str, Any]) -> list[Any]:
        """title, link, description… written as one block before the items."""
        head = etree.Element("head")
        sub(head, "title", options.get("title") or site.name)
        sub(head, "link", site_url(site))
        html_text(head, "description", site.description)
        sub(head, "language", site.language)
        sub(head, "copyright", f"© {site.publisher.registered_name}")
        sub(head, "generator", f"balita {__version__}")
        if site.publisher.email:
            sub(head, "managingEditor", f"{site.publisher.email} ({site.publisher.name})")
        self_url = web_url(feed_url(site, options, "feed.xml"))
        if self_url:
            attributes = {"href": self_url, "rel": "self", "type": "application/rss+xml"}
            head.append(etree.Element(f"{{{ATOM}}}link", attributes, nsmap={"atom": ATOM}))
        for hub in hubs(options):  # WebSub: where readers' apps subscribe to be told of changes
            head.append(etree.Element(f"{{{ATOM}}}link", {"href": hub, "rel": "hub"}, nsmap={"atom": ATOM}))
        return list(head)


WRITER = RssWriter()
