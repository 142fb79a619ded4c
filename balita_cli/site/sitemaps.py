"""The sitemaps: one of every page (split past the writer's limit), and the Google News sitemap.

The sitemap is made from the light articles and keyed by their stamps. The news sitemap holds what
was published in the last 48 hours, so it changes with the clock as well as with the database: it
is made by every build that runs, and the manifest keeps the first time it changes by itself
(``news_until``), after which a build with nothing else to do runs again (``site/builder.py``).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balita_cli.records import SiteArticle
from balita_cli.site import pages
from balita_cli.site.builder import NEWS_WINDOW, SITEMAP_FILES

if TYPE_CHECKING:
    from balita_cli.site.lists import Lists
    from balita_cli.site.rebuild import Rebuild


def write_sitemaps(rebuild: Rebuild, articles: list[SiteArticle], lists: Lists) -> tuple[list[str], str | None]:
    """Keep or make the sitemap, make the news sitemap; returns their paths, and until when the
    news sitemap holds (None: until something is published)."""
    from balita_cli.formats import get_writer
    from balita_cli.timeutil import utcnow

    site, tree = rebuild.site, rebuild.tree
    light = [article.record for article in articles]
    first = light[0]["published_at"] if light else None
    urls = [("", first)] + [(pages.term_dir(kind, slug), members[0].record["published_at"])
                            for (kind, slug), members in lists.groups.items()]  # fmt: skip
    list_urls = [{"url": pages.absolute(site, directory), "status": "published", "updated_at": changed,
                  "published_at": changed} for directory, changed in urls if changed]  # fmt: skip
    name, path = SITEMAP_FILES[0]
    key = rebuild.key("sitemap", rebuild.stamps(articles), list_urls)
    writer = get_writer(name)
    most = writer.capabilities.max_items
    if most is not None and len(light) + len(list_urls) > most and writer.capabilities.splits:
        _split(rebuild, writer, [*map(_sitemap_entry, light), *list_urls], key)
    elif not tree.keep_if_current(path, key):
        records = [*map(_sitemap_entry, light), *list_urls]
        tree.put(path, writer.render(records, site, feed_url=pages.absolute(site, path)), key=key)
    now = utcnow()
    recent, until = news_window(light, now)
    name, path = SITEMAP_FILES[1]
    tree.put(path, get_writer(name).render(recent, site, feed_url=pages.absolute(site, path), now=now))
    return [path for _name, path in SITEMAP_FILES], until


def _split(rebuild: Rebuild, writer: Any, records: list[dict[str, Any]], key: str) -> None:
    """A writer that splits past its limit writes into a scratch directory first, so its files go
    through the manifest like every other page."""
    tree = rebuild.tree
    previous = [path for path, entry in tree.previous.items()
                if entry.get("key") == key and "/" not in path and path.startswith("sitemap")]  # fmt: skip
    if previous and all(tree.keep_if_current(path, key) for path in sorted(previous)):
        return
    with tempfile.TemporaryDirectory(prefix=".balita-build-") as scratch:
        writer.write_tree(records, Path(scratch), rebuild.site)
        for path in sorted(Path(scratch).iterdir()):
            tree.put(path.name, path.read_bytes(), key=key)


def _sitemap_entry(record: dict[str, Any]) -> dict[str, Any]:
    """What the sitemap reads of an article (``formats/sitemap.py``)."""
    return {"url": record["url"], "status": record["status"], "updated_at": record["updated_at"],
            "published_at": record["published_at"], "photo": record["photo"]}  # fmt: skip


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
