"""sitemaps.org sitemaps; past 50,000 URLs, numbered sitemaps plus a sitemap index in a directory.

Records only need ``url`` and ``updated_at``/``published_at``, so the site build can pass its
section and tag pages as small dicts too. An article's library photo is listed with Google's image
extension (``image:image``/``image:loc``); a hot-linked ``image_url`` is not (it is another site's
image). A ``loc`` that is not an http(s) URL leaves its entry out.
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
from balita_cli.formats.links import lead_image, site_url, web_url
from balita_cli.formats.xmlstream import element, sub, xml_document
from balita_cli.records import Record
from balita_cli.timeutil import iso_seconds

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NSMAP: dict[str | None, str] = {None: SITEMAP_NS, "image": IMAGE_NS}
MAX_URLS = 50_000  # the sitemaps.org limit per file
INDEX_NAME = "sitemap.xml"


def url_element(record: Record, site: Site | None = None) -> Any:
    """One ``<url>``, or None when the record's URL is not one search engines may follow."""
    loc = web_url(record.get("url"))
    if loc is None:
        return None
    url = element(f"{{{SITEMAP_NS}}}url", NSMAP)
    sub(url, f"{{{SITEMAP_NS}}}loc", loc)
    changed = iso_seconds(last_change(record)) if record.get("updated_at") else None
    if changed:
        sub(url, f"{{{SITEMAP_NS}}}lastmod", changed)
    image_element(url, record, site)
    return url


def image_element(url: Any, record: Record, site: Site | None) -> None:
    """Google's image extension for the article's library photo (only ``loc``: Google reads no
    other image tag since 2022)."""
    image = lead_image(record, site, hotlinked=False) if site is not None else None
    if image is not None:
        sub(sub(url, f"{{{IMAGE_NS}}}image"), f"{{{IMAGE_NS}}}loc", image.url)


def write_urlset(records: Iterable[Record], stream: IO[str], limit: int = MAX_URLS, site: Site | None = None) -> int:
    count = 0
    with xml_document(stream) as document:
        with document.element(f"{{{SITEMAP_NS}}}urlset", nsmap=NSMAP):
            for record in records:
                entry = url_element(record, site)
                if entry is None:
                    continue
                if count == limit:
                    raise InvalidInput(
                        f"a sitemap holds at most {limit:,} URLs: give -o DIRECTORY "
                        "to write numbered sitemaps and a sitemap index"
                    )
                document.write(entry, pretty_print=True)
                count += 1
    return count


def chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


class SitemapWriter(Writer):
    name = "sitemap"
    description = "sitemaps.org 0.9"
    extension = ".xml"
    media_type = "application/xml"
    capabilities = Capabilities(public=True, max_items=MAX_URLS, splits=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        return write_urlset(public_records(records), stream, int(options.get("max_urls") or MAX_URLS), site)

    def write_tree(self, records: Iterable[Record], directory: Path, site: Site, **options: Any) -> list[str]:
        """sitemap-1.xml, sitemap-2.xml… of at most 50,000 URLs each, and sitemap.xml indexing them.

        One chunk of records is held at a time (50,000 small dicts at most).
        """
        size = int(options.get("max_urls") or MAX_URLS)
        base = str(options.get("sitemap_base_url") or site_url(site)).rstrip("/")
        names = []
        for number, chunk in enumerate(chunks(public_records(records), size), start=1):
            name = f"sitemap-{number}.xml"
            with atomic_open(directory / name) as stream:
                write_urlset(chunk, stream, size, site)
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
                sub(entry, f"{{{SITEMAP_NS}}}lastmod", iso_seconds(changed))
                document.write(entry, pretty_print=True)


WRITER = SitemapWriter()
