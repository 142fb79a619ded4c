"""sitemaps.org sitemaps; past 50,000 URLs, numbered sitemaps plus a sitemap index in a directory.

Records only need ``url`` and ``updated_at``/``published_at``, so the site build can pass its
section and tag pages as small dicts too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.errors import InvalidInput
from balita_cli.files import atomic_open
from balita_cli.formats.atom import last_change
from balita_cli.formats.base import Capabilities, Writer, public_records
from balita_cli.formats.xmlstream import element, sub, xml_document
from balita_cli.records import Record

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # the sitemaps.org limit per file
INDEX_NAME = "sitemap.xml"


def w3c_time(iso_time: str | None) -> str | None:
    """W3C datetime to the second, as search engines expect."""
    if not iso_time:
        return None
    return datetime.fromisoformat(iso_time).replace(microsecond=0).isoformat()


def url_element(record: Record) -> Any:
    url = element(f"{{{SITEMAP_NS}}}url", {None: SITEMAP_NS})
    sub(url, f"{{{SITEMAP_NS}}}loc", record["url"])
    changed = w3c_time(last_change(record)) if record.get("updated_at") else None
    if changed:
        sub(url, f"{{{SITEMAP_NS}}}lastmod", changed)
    return url


def write_urlset(records: Iterable[Record], stream: IO[str], limit: int = MAX_URLS) -> int:
    count = 0
    with xml_document(stream) as document:
        with document.element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS}):
            for record in records:
                if count == limit:
                    raise InvalidInput(
                        f"a sitemap holds at most {limit:,} URLs: give -o DIRECTORY "
                        "to write numbered sitemaps and a sitemap index"
                    )
                document.write(url_element(record), pretty_print=True)
                count += 1
    return count


def chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


class SitemapWriter(Writer):
    name = "sitemap"
    extension = ".xml"
    media_type = "application/xml"
    capabilities = Capabilities(public=True, max_items=MAX_URLS, splits=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        return write_urlset(public_records(records), stream, int(options.get("max_urls") or MAX_URLS))

    def write_tree(self, records: Iterable[Record], directory: Path, site: Site, **options: Any) -> list[str]:
        """sitemap-1.xml, sitemap-2.xml… of at most 50,000 URLs each, and sitemap.xml indexing them.

        One chunk of records is held at a time (50,000 small dicts at most).
        """
        size = int(options.get("max_urls") or MAX_URLS)
        base = str(options.get("sitemap_base_url") or site.base_url).rstrip("/")
        names = []
        for number, chunk in enumerate(chunks(public_records(records), size), start=1):
            name = f"sitemap-{number}.xml"
            with atomic_open(directory / name) as stream:
                write_urlset(chunk, stream, size)
            names.append((name, max((last_change(r) for r in chunk), key=datetime.fromisoformat)))
        with atomic_open(directory / INDEX_NAME) as stream:
            write_index(stream, [(f"{base}/{name}", changed) for name, changed in names])
        return [name for name, _ in names] + [INDEX_NAME]


def write_index(stream: IO[str], sitemaps: list[tuple[str, str]]) -> None:
    with xml_document(stream) as document:
        with document.element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS}):
            for loc, changed in sitemaps:
                entry = element(f"{{{SITEMAP_NS}}}sitemap", {None: SITEMAP_NS})
                sub(entry, f"{{{SITEMAP_NS}}}loc", loc)
                sub(entry, f"{{{SITEMAP_NS}}}lastmod", w3c_time(changed))
                document.write(entry, pretty_print=True)


WRITER = SitemapWriter()
