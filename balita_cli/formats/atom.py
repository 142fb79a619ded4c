"""Atom 1.0 (RFC 4287): one entry per article, the item HTML as escaped ``type="html"`` content.

Titles and summaries are plain text written as escaped ``type="html"`` (see :func:`as_html`).
The story's page at the outlet is ``<link rel="via">``; a library photo is
``<link rel="enclosure">`` with its type and length. Every link passes ``links.web_url``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from lxml import etree

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.formats.base import Capabilities, Writer, article_guid, categories, feed_url, hubs, public_records
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.links import lead_image, site_url, web_url
from balita_cli.formats.xmlstream import element, sub, xml_document
from balita_cli.records import Record
from balita_cli.timeutil import iso, utcnow

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def entry_element(record: Record, site: Site) -> Any:
    entry = element(f"{{{ATOM}}}entry", {None: ATOM})
    entry.set(XML_LANG, record.get("language") or site.language)
    sub(entry, f"{{{ATOM}}}id", article_guid(record, site))
    sub(entry, f"{{{ATOM}}}title", as_html(record["title"]), type="html")
    link = web_url(record.get("url"))
    if link:
        sub(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link)
    via = web_url(record.get("source_url"))
    if via:
        sub(entry, f"{{{ATOM}}}link", rel="via", href=via, title=record.get("source_name") or via)
    image = lead_image(record, site, hotlinked=False)
    if image is not None and image.media_type:
        enclosure = {"rel": "enclosure", "type": image.media_type, "href": image.url}
        if image.length:
            enclosure["length"] = str(image.length)
        if image.caption or image.alt:
            enclosure["title"] = image.caption or image.alt
        sub(entry, f"{{{ATOM}}}link", **enclosure)
    if record.get("published_at"):
        sub(entry, f"{{{ATOM}}}published", record["published_at"])
    sub(entry, f"{{{ATOM}}}updated", last_change(record))
    for name in record.get("authors") or []:
        author = sub(entry, f"{{{ATOM}}}author")
        sub(author, f"{{{ATOM}}}name", name)
    for name in categories(record):
        sub(entry, f"{{{ATOM}}}category", term=name)
    sub(entry, f"{{{ATOM}}}summary", as_html(plain_text(record)), type="html")
    sub(entry, f"{{{ATOM}}}content", article_html(record), type="html")
    return entry


def as_html(text: str | None) -> str:
    """Plain text as an Atom ``type="html"`` construct: escaped, so every reader shows the text.

    ``type="text"`` would say the same, but readers that treat a text title as HTML exist (the
    W3C validator warns of markup in one): a headline about ``</title><script>`` stays words.
    """
    return html.escape(clean_text(text), quote=False)


def last_change(record: Record) -> str:
    """Atom's ``updated``: never before ``published`` (publishing is a change too)."""
    times: list[str] = [t for t in (record.get("updated_at"), record.get("published_at")) if t]
    return max(times, key=datetime.fromisoformat) if times else iso(utcnow()) or ""


def feed_head(site: Site, options: dict[str, Any]) -> list[Any]:
    """Feed metadata before the entries; the feed-level author covers entries without a byline."""
    head = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    sub(head, f"{{{ATOM}}}id", site_url(site).rstrip("/") + "/")
    sub(head, f"{{{ATOM}}}title", options.get("title") or site.name, type="text")
    sub(head, f"{{{ATOM}}}subtitle", site.description, type="text")
    # The entries stream after this, so "updated" is when the feed was made (or as given).
    sub(head, f"{{{ATOM}}}updated", options.get("updated") or iso(utcnow()))
    sub(head, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=site_url(site))
    self_url = web_url(feed_url(site, options, "atom.xml"))
    if self_url:
        sub(head, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    for hub in hubs(options):  # WebSub
        sub(head, f"{{{ATOM}}}link", rel="hub", href=hub)
    author = sub(head, f"{{{ATOM}}}author")
    sub(author, f"{{{ATOM}}}name", site.publisher.name)
    if site.publisher.email:
        sub(author, f"{{{ATOM}}}email", site.publisher.email)
    sub(head, f"{{{ATOM}}}generator", "balita", version=__version__)
    return list(head)


class AtomWriter(Writer):
    name = "atom"
    description = "Atom 1.0 (RFC 4287)"
    extension = ".xml"
    media_type = "application/atom+xml"
    capabilities = Capabilities(public=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        count = 0
        head = feed_head(site, options)  # before the document opens: a bad base_url writes nothing
        with xml_document(stream) as document:
            # Each entry carries its own xml:lang (English and Filipino mix in one feed).
            with document.element(f"{{{ATOM}}}feed", nsmap={None: ATOM}):
                document.write(*head, pretty_print=True)
                for record in public_records(records):
                    document.write(entry_element(record, site), pretty_print=True)
                    count += 1
        return count


WRITER = AtomWriter()
