"""Google News sitemap: articles published in the last 48 hours, at most 1,000.

Retracted stories are left out: Google asks for killed articles to be removed. A story's library
photo is listed with the image extension, as in the sitemap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.base import Capabilities, Writer, is_retracted, public_records
from balita_cli.formats.links import web_url
from balita_cli.formats.sitemap import IMAGE_NS, SITEMAP_NS, image_element
from balita_cli.formats.xmlstream import element, sub, xml_document
from balita_cli.records import Record
from balita_cli.timeutil import iso_seconds, utcnow

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
WINDOW = timedelta(hours=48)
MAX_URLS = 1_000
NSMAP = {None: SITEMAP_NS, "news": NEWS_NS, "image": IMAGE_NS}


def news_language(tag: str | None, default: str) -> str:
    """ISO 639 code of 2 or 3 letters (zh-cn and zh-tw are Google's exceptions)."""
    value = (tag or default or "en").lower()
    if value in {"zh-cn", "zh-tw"}:
        return value
    primary = value.split("-")[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else "en"


def recent(records: Iterable[Record], now: datetime) -> Iterator[Record]:
    """Published within the window, not retracted, newest limit first is up to the caller."""
    for record in public_records(records):
        published = record.get("published_at")
        if not published or is_retracted(record) or record.get("status") != "published":
            continue
        if now - WINDOW <= datetime.fromisoformat(published) <= now:
            yield record


def url_element(record: Record, site: Site) -> Any:
    """One ``<url>``, or None when the record's URL is not one search engines may follow."""
    loc = web_url(record.get("url"))
    if loc is None:
        return None
    url = element(f"{{{SITEMAP_NS}}}url", NSMAP)
    sub(url, f"{{{SITEMAP_NS}}}loc", loc)
    news = sub(url, f"{{{NEWS_NS}}}news")
    publication = sub(news, f"{{{NEWS_NS}}}publication")
    sub(publication, f"{{{NEWS_NS}}}name", site.name)
    sub(publication, f"{{{NEWS_NS}}}language", news_language(record.get("language"), site.language))
    sub(news, f"{{{NEWS_NS}}}publication_date", iso_seconds(record["published_at"]))
    sub(news, f"{{{NEWS_NS}}}title", record["title"])
    image_element(url, record, site)
    return url


class NewsSitemapWriter(Writer):
    name = "news-sitemap"
    description = "Google News sitemap"
    extension = ".xml"
    media_type = "application/xml"
    capabilities = Capabilities(public=True, window=WINDOW)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        now = options.get("now") or utcnow()
        count = 0
        with xml_document(stream) as document:
            with document.element(f"{{{SITEMAP_NS}}}urlset", nsmap=NSMAP):
                for record in recent(records, now):
                    entry = url_element(record, site)
                    if entry is None:
                        continue
                    document.write(entry, pretty_print=True)
                    count += 1
                    if count == MAX_URLS:
                        break
        return count


WRITER = NewsSitemapWriter()
