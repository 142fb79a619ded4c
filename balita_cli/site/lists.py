"""The front page, the list pages of the latest news, sections, tags and authors, and the feeds.

Each is *planned* from the light articles: its key is worked out from the stamps of the stories it
shows and where it sits, and a page whose key is the last build's is kept. The others note which
articles they need read in full (``Rebuild.want``) and leave a maker in ``Rebuild.later``, run
once those articles are read.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from balita_cli.formats import get_writer
from balita_cli.records import SiteArticle
from balita_cli.site import pages
from balita_cli.site.content import last_change
from balita_cli.site.options import FEED_FILES, FEED_SIZE, TERM_FEED, TERM_FEED_SIZE
from balita_cli.words import words_for

if TYPE_CHECKING:
    from balita_cli.site.rebuild import Rebuild


@dataclass
class Lists:
    """The list pages, feeds and sitemaps of this build, made from the light articles."""

    listed: list[SiteArticle] = field(default_factory=list)
    groups: dict[tuple[str, str], list[SiteArticle]] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)


def gather_lists(articles: list[SiteArticle]) -> Lists:
    lists = Lists()
    groups: dict[tuple[str, str], list[SiteArticle]] = defaultdict(list)
    for article in articles:
        if not article.listed:  # archived stories keep their page but leave lists, feeds and search
            continue
        lists.listed.append(article)
        for kind, pairs in article.terms.items():
            for name, slug in pairs:
                groups[(kind, slug)].append(article)
                lists.names[(kind, slug)] = name
    lists.groups = dict(groups)
    return lists


def plan_lists(rebuild: Rebuild, lists: Lists) -> None:
    """Keep or plan the front page, the list pages and each list's own feed."""
    language = rebuild.site.language
    _plan_list(rebuild, "", "", words_for(language)["latest"], lists.listed, None, lists)
    for (kind, slug), members in lists.groups.items():
        name = lists.names[(kind, slug)]
        base = pages.term_dir(kind, slug)
        heading = pages.list_heading(kind, name, language)
        list_feed = {"path": base + TERM_FEED, "title": f"{heading} — {rebuild.site.name}"}
        _plan_list(rebuild, base, kind, heading, members, list_feed, lists)
        _plan_term_feed(rebuild, kind, slug, name, members[:TERM_FEED_SIZE])


def _plan_list(
    rebuild: Rebuild,
    base: str,
    kind: str,
    heading: str,
    members: list[SiteArticle],
    list_feed: dict[str, str] | None,
    lists: Lists,
) -> None:
    """The pages of one list. A page's key is where it sits (its number among how many: the
    links to the others follow from those) and the stamps of the stories on it."""
    size = rebuild.options.page_size
    total = max(1, -(-len(members) // size))
    redo: dict[int, str] = {}
    for number in range(1, total + 1):
        shown = members[(number - 1) * size : number * size]
        directory = pages.page_dir(base, number)
        key = rebuild.key("list", kind, heading, directory, number, total, rebuild.stamps(shown))
        if number == 1 and not base:
            _plan_front(rebuild, lists, key)
        elif not rebuild.tree.keep_if_current(directory + pages.INDEX, key):
            rebuild.want(shown, entries=True)
            redo[number] = key
    if redo:
        records = [article.record for article in members]
        rebuild.later.append(lambda: _list_pages(rebuild, base, kind, heading, records, list_feed, redo))


def _list_pages(
    rebuild: Rebuild,
    base: str,
    kind: str,
    heading: str,
    records: list[dict[str, Any]],
    list_feed: dict[str, str] | None,
    redo: dict[int, str],
) -> None:
    language = rebuild.site.language
    context: dict[str, Any] = {"list_feed": list_feed} if list_feed is not None else {}
    last = max(redo)
    for page in pages.paginate(base, records, rebuild.options.page_size):
        if page.number in redo:
            rebuild.page(
                "list.html",
                page.directory,
                language,
                key=redo[page.number],
                heading=heading,
                kind=kind,
                page=_with_entries(rebuild, page),
                title=pages.page_title(heading, page.number, language),
                **context,
            )
        if page.number == last:
            break


def _plan_front(rebuild: Rebuild, lists: Lists, first_page: str) -> None:
    """The front page: its lead, tier, section blocks and latest headlines are chosen (by
    ``pages.front_page``) from what the light articles say of every listed story; its key is
    what was chosen, with their stamps, and the first page of the latest news under them."""
    proto = [_proto_entry(article) for article in lists.listed]
    front = pages.front_page(proto, rebuild.sections)
    lead: int | None = front["lead"]["id"] if front["lead"] else None
    tier = [int(entry["id"]) for entry in front["tier"]]
    blocks = [
        (str(block["section"]["path"]), [int(entry["id"]) for entry in block["entries"]]) for block in front["blocks"]
    ]
    latest = [int(entry["id"]) for entry in front["latest"]]
    ids = {*tier, *latest, *(article_id for _path, members in blocks for article_id in members)}
    if lead is not None:
        ids.add(lead)
    stamps = sorted((article_id, rebuild.token[article_id]) for article_id in ids)
    key = rebuild.key("front", lead, tier, blocks, latest, stamps, first_page)
    if rebuild.tree.keep_if_current(pages.INDEX, key):
        return
    records = [article.record for article in lists.listed]
    rebuild.want_entries |= ids | {record["id"] for record in records[: rebuild.options.page_size]}

    def make() -> None:
        # Chosen again from the full entries: the same stories, now with what the page shows of them.
        mixed = [rebuild.entries.get(entry["id"], entry) for entry in proto]
        real = pages.front_page(mixed, rebuild.sections)
        page = next(iter(pages.paginate("", records, rebuild.options.page_size)))
        organization = pages.organization_ld(rebuild.site, rebuild.logo, rebuild.site_pages)
        rebuild.page(
            "home.html",
            "",
            rebuild.site.language,
            key=key,
            front=real,
            page=_with_entries(rebuild, page),
            json_ld=pages.script_json(organization),
        )

    rebuild.later.append(make)


def _proto_entry(article: SiteArticle) -> dict[str, Any]:
    """What ``pages.front_page`` chooses by, for a story not read in full."""
    record, section = article.record, article.terms["section"]
    return {
        "id": record["id"],
        "featured": record["featured"],
        "retracted": record["status"] == "retracted",
        "section": {"path": pages.term_dir("section", section[0][1])} if section else None,
    }


def _with_entries(rebuild: Rebuild, page: pages.ListPage) -> pages.ListPage:
    entries = [rebuild.entries[record["id"]] for record in page.entries if record["id"] in rebuild.entries]
    return dataclasses.replace(page, entries=entries)


# ---------------------------------------------------------------- feeds


def _plan_term_feed(rebuild: Rebuild, kind: str, slug: str, name: str, members: list[SiteArticle]) -> None:
    """The RSS feed of one section, tag or author: its newest stories."""
    path = pages.term_dir(kind, slug) + TERM_FEED
    rebuild.feed_paths.append(path)
    title = f"{pages.list_heading(kind, name, rebuild.site.language)} — {rebuild.site.name}"
    key = rebuild.key("feed", path, title, rebuild.stamps(members))
    if rebuild.tree.keep_if_current(path, key):
        return
    rebuild.want(members, full=True)
    rebuild.later.append(lambda: _feed(rebuild, "rss", path, members, key, title=title))


def plan_site_feeds(rebuild: Rebuild, lists: Lists) -> list[str]:
    """The site's RSS, Atom and JSON feeds of its newest stories; returns their paths."""
    latest = lists.listed[:FEED_SIZE]
    for name, path in FEED_FILES:
        rebuild.feed_paths.append(path)
        # With no story a feed says "updated now": made again by every build.
        key = rebuild.key("site-feed", name, path, rebuild.stamps(latest)) if latest else None
        if key is None:
            rebuild.always = True
        if not rebuild.tree.keep_if_current(path, key):
            rebuild.want(latest, full=True)
            rebuild.later.append(partial(_feed, rebuild, name, path, latest, key))
    return [path for _name, path in FEED_FILES]


def _feed(rebuild: Rebuild, name: str, path: str, members: list[SiteArticle], key: str | None, **options: Any) -> None:

    site = rebuild.site
    records = [rebuild.records[a.record["id"]] for a in members if a.record["id"] in rebuild.records]
    if records:
        options["updated"] = last_change(records)
    own = pages.absolute(site, path)
    document = get_writer(name).render(records, site, feed_url=own, hubs=rebuild.options.hubs, **options)
    rebuild.tree.put(path, document, key=key)
