"""Atom 1.0 (RFC 4287): one entry per article, the item HTML as escaped ``type="html"`` content."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.formats.base import Capabilities, Writer, article_guid, categories, feed_url, public_records
from balita_cli.formats.html import article_html, plain_text
from balita_cli.formats.xmlstream import element, sub, xml_document
from balita_cli.records import Record
from balita_cli.timeutil import iso, utcnow

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def entry_element(record: Record, site: Site) -> Any:
    entry = element(f"{{{ATOM}}}entry", {None: ATOM})
    entry.set(XML_LANG, record.get("language") or site.language)
    sub(entry, f"{{{ATOM}}}id", article_guid(record, site))
    sub(entry, f"{{{ATOM}}}title", record["title"], type="text")
    sub(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=record["url"])
    if record.get("source_url"):
        via = {"rel": "via", "href": record["source_url"]}
        sub(entry, f"{{{ATOM}}}link", **via, title=record.get("source_name") or record["source_url"])
    if record.get("published_at"):
        sub(entry, f"{{{ATOM}}}published", record["published_at"])
    sub(entry, f"{{{ATOM}}}updated", last_change(record))
    for name in record.get("authors") or []:
        author = sub(entry, f"{{{ATOM}}}author")
        sub(author, f"{{{ATOM}}}name", name)
    for name in categories(record):
        sub(entry, f"{{{ATOM}}}category", term=name)
    sub(entry, f"{{{ATOM}}}summary", plain_text(record), type="text")
    sub(entry, f"{{{ATOM}}}content", article_html(record), type="html")
    return entry


def last_change(record: Record) -> str:
    """Atom's ``updated``: never before ``published`` (publishing is a change too)."""
    times: list[str] = [t for t in (record.get("updated_at"), record.get("published_at")) if t]
    return max(times, key=datetime.fromisoformat) if times else iso(utcnow()) or ""


def feed_head(site: Site, options: dict[str, Any]) -> list[Any]:
    """Feed metadata before the entries; the feed-level author covers entries without a byline."""
    from lxml import etree

    head = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    sub(head, f"{{{ATOM}}}id", site.base_url.rstrip("/") + "/")
    sub(head, f"{{{ATOM}}}title", options.get("title") or site.name, type="text")
    sub(head, f"{{{ATOM}}}subtitle", site.description, type="text")
    # The entries stream after this, so "updated" is when the feed was made (or as given).
    sub(head, f"{{{ATOM}}}updated", options.get("updated") or iso(utcnow()))
    sub(head, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=site.base_url)
    self_url = feed_url(site, options, "atom.xml")
    sub(head, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    author = sub(head, f"{{{ATOM}}}author")
    sub(author, f"{{{ATOM}}}name", site.publisher)
    if site.contact:
        sub(author, f"{{{ATOM}}}email", site.contact)
    sub(head, f"{{{ATOM}}}generator", "balita", version=__version__)
    return list(head)


class AtomWriter(Writer):
    name = "atom"
    extension = ".xml"
    media_type = "application/atom+xml"
    capabilities = Capabilities(public=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        count = 0
        with xml_document(stream) as document:
            # Each entry carries its own xml:lang (English and Filipino mix in one feed).
            with document.element(f"{{{ATOM}}}feed", nsmap={None: ATOM}):
                document.write(*feed_head(site, options), pretty_print=True)
                for record in public_records(records):
                    document.write(entry_element(record, site), pretty_print=True)
                    count += 1
        return count


WRITER = AtomWriter()
