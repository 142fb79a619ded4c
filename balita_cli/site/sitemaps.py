"""The sitemaps: one of every page, and the Google News sitemap.

Past ``PART`` URLs the sitemap is an index of parts, the articles by ranges of their ids (which
never move, so one edit remakes one part) and one part of the list pages. The news sitemap holds
the last 48 hours, so it changes with the clock too: the manifest keeps when it next changes by
itself (``news_until``), and a build with nothing else to do runs again then."""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from balita_cli.formats import get_writer
from balita_cli.formats.atom import last_change
from balita_cli.formats.base import public_records
from balita_cli.formats.sitemap import INDEX_NAME, write_index
from balita_cli.records import SiteArticle
from balita_cli.site import pages
from balita_cli.site.options import NEWS_WINDOW, SITEMAP_FILES
from balita_cli.timeutil import utcnow

# URLs a sitemap holds before it becomes an index of parts (the protocol allows 50,000 a file).
PART = 1000

if TYPE_CHECKING:
    from balita_cli.site.lists import Lists
    from balita_cli.site.rebuild import Rebuild


def write_sitemaps(rebuild: Rebuild, articles: list[SiteArticle], lists: Lists) -> tuple[list[str], str | None]:
    """Keep or make the sitemap, make the news sitemap; returns their paths, and until when the
    news sitemap holds (None: until something is published)."""
    site, tree = rebuild.site, rebuild.tree
    first = articles[0].record["published_at"] if articles else None
    articles = [article for article in articles if is_canonical(article.record)]
    light = [article.record for article in articles]
    urls = [("", first)] + [
        (pages.term_dir(kind, slug), members[0].record["published_at"])
        for (kind, slug), members in lists.groups.items()
    ]
    # The front page is always listed (a sitemap must list a URL: a site with no story yet has it).
    list_urls = [
        {"url": pages.absolute(site, directory), "status": "published", "updated_at": changed, "published_at": changed}
        for directory, changed in urls
        if changed or not directory
    ]
    list_urls += [
        {
            "url": pages.absolute(site, pages.page_path(page["slug"])),
            "status": "published",
            "updated_at": page["updated_at"],
            "published_at": page["updated_at"],
        }
        for page in rebuild.site_pages
    ]
    name, path = SITEMAP_FILES[0]
    writer = get_writer(name)
    part = min(PART, writer.capabilities.max_items or PART)
    if len(light) + len(list_urls) > part:
        _parts(rebuild, writer, articles, list_urls, part)
    else:
        key = rebuild.key("sitemap", rebuild.stamps(articles), list_urls)
        if not tree.keep_if_current(path, key):
            records = [*map(_sitemap_entry, light), *list_urls]
            tree.put(path, writer.render(records, site, feed_url=pages.absolute(site, path)), key=key)
    now = utcnow()
    recent, until = news_window(light, now)
    name, path = SITEMAP_FILES[1]
    tree.put(path, get_writer(name).render(recent, site, feed_url=pages.absolute(site, path), now=now))
    return [path for _name, path in SITEMAP_FILES], until


def _parts(
    rebuild: Rebuild, writer: Any, articles: list[SiteArticle], list_urls: list[dict[str, Any]], part: int
) -> None:
    """sitemap-<n>.xml for the articles whose ids fall in the n-th range of ``part``,
    sitemap-lists-<n>.xml for the list pages, and sitemap.xml indexing them with their last change."""
    site, tree = rebuild.site, rebuild.tree
    ranges: dict[int, list[SiteArticle]] = {}
    for article in articles:
        ranges.setdefault(int(article.record["id"]) // part, []).append(article)
    made: list[tuple[str, Any, list[dict[str, Any]]]] = [
        (f"sitemap-{number + 1}.xml", rebuild.stamps(members), [_sitemap_entry(a.record) for a in members])
        for number, members in sorted(ranges.items())
    ]
    for start in range(0, len(list_urls), part):
        lists_part = list_urls[start : start + part]
        made.append((f"sitemap-lists-{start // part + 1}.xml", lists_part, lists_part))
    index = []
    for file, inputs, records in made:
        shown = list(public_records(records))
        if not shown:
            continue  # a part must list a URL: a range of drafts and trash has no file
        key = rebuild.key("sitemap-part", inputs)
        if not tree.keep_if_current(file, key):
            tree.put(file, writer.render(shown, site, feed_url=pages.absolute(site, file)), key=key)
        index.append((pages.absolute(site, file), max(map(last_change, shown), key=datetime.fromisoformat)))
    key = rebuild.key("sitemap-index", index)
    if not tree.keep_if_current(INDEX_NAME, key):
        tree.put_text(INDEX_NAME, _index_text(index), key=key)


def is_canonical(record: dict[str, Any]) -> bool:
    """A page whose canonical is another site's (an outlet's story excerpted here) is that site's to
    list: a sitemap names only URLs that are their own canonical."""
    canonical = record.get("canonical_url") or ""
    return not canonical or canonical.rstrip("/") == str(record["url"]).rstrip("/")


def _index_text(index: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    write_index(buffer, index)
    return buffer.getvalue()


def _sitemap_entry(record: dict[str, Any]) -> dict[str, Any]:
    """What the sitemap reads of an article (``formats/sitemap.py``)."""
    return {
        "url": record["url"],
        "status": record["status"],
        "updated_at": record["updated_at"],
        "published_at": record["published_at"],
        "photo": record["photo"],
    }


def news_window(light: list[dict[str, Any]], now: datetime) -> tuple[list[dict[str, Any]], str | None]:
    """The stories the news sitemap may hold now, and the first time that changes by itself (a
    story leaving the 48 hours, or one dated later reaching its time)."""
    recent: list[dict[str, Any]] = []
    until: datetime | None = None
    for record in light:
        if record["status"] != "published" or not record["published_at"]:
            continue
        published = datetime.fromisoformat(record["published_at"])
        if published > now:
            turn = published
        elif now - NEWS_WINDOW <= published:
            recent.append(record)
            turn = published + NEWS_WINDOW
        else:
            continue
        until = turn if until is None or turn < until else until
    return recent, until.isoformat() if until is not None else None
