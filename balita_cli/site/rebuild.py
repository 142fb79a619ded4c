"""A build in which something changed: which pages to make again, and making them.

``SiteBuilder.build`` (``site/builder.py``) comes here when the snapshot's digest is not the last
build's (or nothing of the last build can be trusted). Each page gets a key made of its inputs:

- an article page: its article's stamp, its photo, and the stories it links (related stories, the
  newer and older story of its section);
- a list page, feed or sitemap: the stamps of the articles it shows, and where it sits (page
  number, neighbours);
- the search page, the 404 page, redirects and robots.txt: what they say.

Every key also holds the build's fingerprint (balita, settings, templates) and the navigation. A
page whose key is the last build's is kept without rendering; the others are made again, from the
only articles read in full: those whose page, list entry or feed item is to be made. Related
stories are worked out only for the stories they may have changed for (``_affected``); the
neighbours of every other unchanged story are as they were, and so is its page's key.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from balita_cli.errors import InvalidInput
from balita_cli.records import SiteArticle
from balita_cli.site import pages
from balita_cli.site.builder import (
    FEED_FILES,
    FEED_LABELS,
    FEED_SIZE,
    LOGO_FORMATS,
    NEAREST_REACH,
    NEWS_WINDOW,
    NOT_FOUND,
    SEARCH_DIR,
    SITEMAP_FILES,
    STATE_VERSION,
    TERM_FEED,
    TERM_FEED_SIZE,
    BuildReport,
    SiteBuilder,
    SiteSource,
    _hash,
)
from balita_cli.site.search import MISSING, SearchReport
from balita_cli.words import words_for

if TYPE_CHECKING:
    from balita_cli.site.photos import Picture
    from balita_cli.site.related import RelatedIndex


@dataclass
class _Lists:
    """The list pages, feeds and sitemaps of this build, made from the light articles."""

    listed: list[SiteArticle] = field(default_factory=list)
    groups: dict[tuple[str, str], list[SiteArticle]] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)


class Rebuild:
    """One build in which something changed (or nothing can be trusted)."""

    def __init__(self, builder: SiteBuilder, source: SiteSource, digest: str, program: Path | None) -> None:
        self.b = builder
        self.source = source
        self.digest = digest
        self.program = program
        self.tree = builder.tree
        self.site = builder.site
        self.options = builder.options
        # Per article: what must be read in full, and for what.
        self.pages: dict[int, str] = {}  # article id -> the key of its page to make again
        self.want_entries: set[int] = set()
        self.want_records: set[int] = set()
        self.entries: dict[int, dict[str, Any]] = {}
        self.records: dict[int, dict[str, Any]] = {}
        self.later: list[Any] = []  # pages to make once the articles are read, in order

    def run(self) -> BuildReport:
        self._prepare(self.source.sections())
        articles = self.source.articles
        state = self.tree.previous_state
        trusted = (
            state.get("version") == STATE_VERSION
            and state.get("source") == self.source.identity
            and (state.get("pages") == self.shared)
        )
        self.pictures = self._pictures(articles)
        failed_before = set(state.get("failed_photos") or ()) if trusted else set()
        failed = {int(photo["id"]) for article in articles if (photo := article.record["photo"]) is not None
                  and article.record["id"] not in self.pictures}  # fmt: skip
        # What lists and keys compare: the stamp, and whether the photo could be shown.
        self.token = {a.record["id"]: a.record["stamp"] + ("!" if a.record["id"] in self.failed_ids else "")
                      for a in articles}  # fmt: skip
        index = _index(articles)
        previous = _previous_index(state.get("index")) if trusted else None
        changed = self._changed(index, previous, failed | failed_before) if previous is not None else None
        affected = _affected(index, previous, changed)
        self.index = index
        article_pages = self._article_pages(articles, affected)
        lists = self._lists(articles)
        self._plan_lists(lists)
        feeds = self._plan_site_feeds(lists)
        self._read(articles)
        for make in self.later:
            make()
        sitemaps, news_until = self._sitemaps(articles, lists)
        self._special_pages()
        self._assets(sitemaps)
        search = self._search([path for path in article_pages if path in self.tree.current])
        problems = [*self.photos.problems] + ([search.problem] if search.problem else [])
        clean_state = not self.photos.problems and not self.always
        new_state = {
            "version": STATE_VERSION,
            "source": self.source.identity,
            "pages": self.shared,
            "digest": self.digest if clean_state else None,
            "news_until": news_until,
            "photos": self.photos.made + self.photos.reused,
            "listed": len(lists.listed),
            "failed_photos": sorted(failed),
            "index": _index_text(index, self.token),
        }
        counts = self.tree.finish(new_state)
        photos = {"made": self.photos.made, "reused": self.photos.reused}
        return BuildReport(self.options.output, len(lists.listed), len(self.tree.current), counts, feeds, photos,
                           search, problems)  # fmt: skip

    # ------------------------------------------------------------ what every page shares

    def _prepare(self, sections: list[tuple[str, str]]) -> None:
        """What rendering needs: the template engine, the logo, the navigation, the photos."""
        from balita_cli.media.store import MediaStore
        from balita_cli.site.photos import PhotoLibrary
        from balita_cli.site.render import make_environment

        self.environment = make_environment(self.options.template_dir)
        store = MediaStore(self.options.media_root) if self.options.media_root is not None else None
        self.photos = PhotoLibrary(self.tree, store, self.options.photo_seed)
        self.feeds = [{"name": name, "path": path, "media_type": _media_type(name), "label": FEED_LABELS[name]}
                      for name, path in FEED_FILES]  # fmt: skip
        self.sections = [{"name": name, "path": pages.term_dir("section", slug)} for name, slug in sections]
        self.logo_file, self.logo = self._logo()
        # Every page shows the navigation: its sections are part of every page's inputs.
        self.shared = _hash([self.b.fingerprint, sections])

    def _logo(self) -> tuple[tuple[str, bytes], dict[str, Any]]:
        """The publisher's logo: its file in the output and what JSON-LD says of it (what its
        inspection found is kept in the manifest, so an unchanged logo is not decoded again)."""
        from balita_cli.site.render import static_file

        if self.b.logo_data is None or self.options.logo is None:
            data, name = static_file("logo.png", self.options.template_dir), "logo.png"
        else:
            data, name = self.b.logo_data, self.options.logo.name
        digest = _hash(["logo", self.site.base_url, _bytes_digest(data)])
        known = self.tree.previous_memo.get("logo")
        if isinstance(known, dict) and known.get("digest") == digest and isinstance(known.get("logo"), dict):
            logo = dict(known["logo"])
        else:
            from balita_cli.media.images import inspect_image

            info = inspect_image(data, name=name)
            if info.format not in LOGO_FORMATS:
                raise InvalidInput(f"logo {name} is {info.format.upper()}; use PNG, JPEG or WebP")
            path = f"logo.{LOGO_FORMATS[info.format]}"
            logo = {"url": pages.absolute(self.site, path), "width": info.width, "height": info.height, "path": path}
        self.tree.memo["logo"] = {"digest": digest, "logo": logo}
        return (str(logo["path"]), data), logo

    def key(self, *parts: Any) -> str:
        """A page's inputs: when they match the last build's, the page is kept without rendering."""
        return _hash([self.shared, *parts])

    def page(self, template: str, directory: str, language: str, *, key: str | None = None,
             root: str | None = None, **context: Any) -> None:  # fmt: skip
        from balita_cli.site.render import render

        shared = {
            "site": self.site,
            "lang": language,
            "t": words_for(language),
            "root": root or pages.root_prefix(directory),
            "canonical": pages.absolute(self.site, directory),
            "feeds": self.feeds,
            "list_feed": None,
            "sections": self.sections,
            "logo": self.logo,
            "preview": self.options.preview,
            "search": self.options.search,
            "title": "",
            "share": None,
        }
        path = directory if directory.endswith(".html") else directory + pages.INDEX
        self.tree.put_text(path, render(self.environment, template, {**shared, **context}), key=key)

    # ------------------------------------------------------------ what changed

    @property
    def failed_ids(self) -> set[int]:
        return self._failed_ids

    @cached_property
    def related(self) -> RelatedIndex:
        """Related stories and section neighbours, worked out only when a page needs them."""
        from balita_cli.site.related import RelatedIndex

        return RelatedIndex(self.index)

    def _pictures(self, articles: list[SiteArticle]) -> dict[int, Picture]:
        """Each shown photo's files made or claimed; by article id, those that could be shown."""
        pictures: dict[int, Picture] = {}
        self._failed_ids: set[int] = set()
        for article in articles:
            photo = article.record["photo"]
            if photo is None:
                continue
            picture = self.photos.picture(photo)
            if picture is None:
                self._failed_ids.add(article.record["id"])
            else:
                pictures[article.record["id"]] = picture
        return pictures

    def _changed(self, index: list[dict[str, Any]], previous: list[Previous], photos: set[int]) -> set[int]:
        """Articles whose stamp is not the last build's (new ones, and ones gone, too), and those
        whose photo could not be shown, then or now."""
        before = {item.id: item.token for item in previous}
        changed = {entry["id"] for entry in index if before.get(entry["id"]) != self.token[entry["id"]]}
        changed |= set(before) - {entry["id"] for entry in index}
        if photos:
            changed |= {a.record["id"] for a in self.source.articles
                        if a.record["photo"] is not None and int(a.record["photo"]["id"]) in photos}  # fmt: skip
        return changed

    # ------------------------------------------------------------ article pages

    def _article_pages(self, articles: list[SiteArticle], affected: set[int] | None) -> list[str]:
        """Keep each article page whose inputs are the last build's; note the others. Returns the
        pages of listed articles (what the search index holds)."""
        listed_pages = []
        for article in articles:
            record = article.record
            article_id = record["id"]
            path = pages.article_dir(record["slug"]) + pages.INDEX
            if article.listed:
                listed_pages.append(path)
            key = None
            if affected is not None and article_id not in affected:
                key = self.tree.previous_key(path)  # its article, photo and neighbours are as they were
            if key is None:
                key = self._article_key(article)
            if not self.tree.keep_if_current(path, key):
                self.pages[article_id] = key
        return listed_pages

    def _article_key(self, article: SiteArticle) -> str:
        record = article.record
        neighbours = self.related.neighbours(record["id"])
        around = [*neighbours.related, neighbours.newer or {}, neighbours.older or {}]
        linked = [(e.get("slug"), e.get("title"), e.get("published_at")) for e in around]
        picture = self.pictures.get(record["id"])
        return self.key("article", self.token[record["id"]], picture.identity() if picture else None, linked)

    def _render_article(self, article: SiteArticle) -> None:
        record, terms = article.record, article.terms
        picture = self.pictures.get(record["id"])
        neighbours = self.related.neighbours(record["id"])
        view = pages.article_view(record, terms, self.site, picture, neighbours)
        json_ld = pages.script_json(pages.news_article_ld(record, terms, self.site, picture, self.logo))
        share = pages.share_image(self.site, picture, record)
        self.page("article.html", pages.article_dir(record["slug"]), view["lang"], key=self.pages[record["id"]],
                    article=view, json_ld=json_ld, share=share, title=record["title"])  # fmt: skip

    # ------------------------------------------------------------ lists and feeds

    def _lists(self, articles: list[SiteArticle]) -> _Lists:
        lists = _Lists()
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

    def _stamps(self, articles: Iterable[SiteArticle]) -> list[str]:
        return [self.token[article.record["id"]] for article in articles]

    def _plan_lists(self, lists: _Lists) -> None:
        """Keep or plan the front page, the list pages and each list's own feed."""
        language = self.site.language
        self._plan_list("", "", words_for(language)["latest"], lists.listed, None, lists)
        for (kind, slug), members in lists.groups.items():
            name = lists.names[(kind, slug)]
            base = pages.term_dir(kind, slug)
            heading = pages.list_heading(kind, name, language)
            list_feed = {"path": base + TERM_FEED, "title": f"{heading} — {self.site.name}"}
            self._plan_list(base, kind, heading, members, list_feed, lists)
            self._plan_term_feed(kind, slug, name, members[:TERM_FEED_SIZE])
        self.later.append(lambda: self._redirects(self.source.articles))

    def _plan_list(self, base: str, kind: str, heading: str, members: list[SiteArticle],
                   list_feed: dict[str, str] | None, lists: _Lists) -> None:  # fmt: skip
        """The pages of one list. A page's key is where it sits (its number among how many: the
        links to the others follow from those) and the stamps of the stories on it."""
        size = self.options.page_size
        total = max(1, -(-len(members) // size))
        redo: dict[int, str] = {}
        for number in range(1, total + 1):
            shown = members[(number - 1) * size : number * size]
            directory = pages.page_dir(base, number)
            key = self.key("list", kind, heading, directory, number, total, self._stamps(shown))
            if number == 1 and not base:
                self._plan_front(lists, key)
            elif not self.tree.keep_if_current(directory + pages.INDEX, key):
                self.want_entries.update(article.record["id"] for article in shown)
                redo[number] = key
        if redo:
            records = [article.record for article in members]
            self.later.append(lambda: self._list_pages(base, kind, heading, records, list_feed, redo))

    def _list_pages(self, base: str, kind: str, heading: str, records: list[dict[str, Any]],
                    list_feed: dict[str, str] | None, redo: dict[int, str]) -> None:  # fmt: skip
        last = max(redo)
        for page in pages.paginate(base, records, self.options.page_size):
            if page.number in redo:
                self._list_page(page, redo[page.number], kind, heading, list_feed)
            if page.number == last:
                break

    def _want(self, records: Iterable[dict[str, Any]], *, entries: bool = False, full: bool = False) -> None:
        for record in records:
            if entries:
                self.want_entries.add(record["id"])
            if full:
                self.want_records.add(record["id"])

    def _plan_front(self, lists: _Lists, first_page: str) -> None:
        """The front page: its lead, tier, section blocks and latest headlines are chosen (by
        ``pages.front_page``) from what the light articles say of every listed story; its key is
        what was chosen, with their stamps, and the first page of the latest news under them."""
        proto = [_proto_entry(article) for article in lists.listed]
        front = pages.front_page(proto, self.sections)
        lead: int | None = front["lead"]["id"] if front["lead"] else None
        tier = [int(entry["id"]) for entry in front["tier"]]
        blocks = [(str(block["section"]["path"]), [int(entry["id"]) for entry in block["entries"]])
                  for block in front["blocks"]]  # fmt: skip
        latest = [int(entry["id"]) for entry in front["latest"]]
        ids = {*tier, *latest, *(article_id for _path, members in blocks for article_id in members)}
        if lead is not None:
            ids.add(lead)
        stamps = sorted((article_id, self.token[article_id]) for article_id in ids)
        key = self.key("front", lead, tier, blocks, latest, stamps, first_page)
        if self.tree.keep_if_current(pages.INDEX, key):
            return
        records = [article.record for article in lists.listed]
        first = records[: self.options.page_size]
        self.want_entries |= ids | {record["id"] for record in first}

        def make() -> None:
            mixed = [self.entries.get(entry["id"], entry) for entry in proto]
            real = pages.front_page(mixed, self.sections)
            page = next(iter(pages.paginate("", records, self.options.page_size)))
            self.page("home.html", "", self.site.language, key=key, front=real, page=self._with_entries(page))

        self.later.append(make)

    def _with_entries(self, page: pages.ListPage) -> pages.ListPage:
        entries = [self.entries[record["id"]] for record in page.entries if record["id"] in self.entries]
        return dataclasses.replace(page, entries=entries)

    def _list_page(
        self, page: pages.ListPage, key: str, kind: str, heading: str, list_feed: dict[str, str] | None
    ) -> None:
        language = self.site.language
        context: dict[str, Any] = {"list_feed": list_feed} if list_feed is not None else {}
        self.page("list.html", page.directory, language, key=key, heading=heading, kind=kind,
                    page=self._with_entries(page), title=pages.page_title(heading, page.number, language),
                    **context)  # fmt: skip

    def _plan_term_feed(self, kind: str, slug: str, name: str, members: list[SiteArticle]) -> None:
        """The RSS feed of one section, tag or author: its newest stories."""
        path = pages.term_dir(kind, slug) + TERM_FEED
        title = f"{pages.list_heading(kind, name, self.site.language)} — {self.site.name}"
        key = self.key("feed", path, title, self._stamps(members))
        if self.tree.keep_if_current(path, key):
            return
        self._want((a.record for a in members), full=True)
        self.later.append(lambda: self._feed("rss", path, members, key, title=title))

    def _feed(self, name: str, path: str, members: list[SiteArticle], key: str | None, **options: Any) -> None:
        from balita_cli.formats import get_writer
        from balita_cli.site.content import last_change

        records = [self.records[a.record["id"]] for a in members if a.record["id"] in self.records]
        if records:
            options["updated"] = last_change(records)
        document = get_writer(name).render(records, self.site, feed_url=pages.absolute(self.site, path), **options)
        self.tree.put(path, document, key=key)

    def _plan_site_feeds(self, lists: _Lists) -> list[str]:
        latest = lists.listed[:FEED_SIZE]
        for name, path in FEED_FILES:
            # With no story a feed says "updated now": made again by every build.
            key = self.key("site-feed", name, path, self._stamps(latest)) if latest else None
            if key is None:
                self.always = True
            if not self.tree.keep_if_current(path, key):
                self._want((a.record for a in latest), full=True)
                self.later.append(lambda name=name, path=path, key=key: self._feed(name, path, latest, key))
        return [path for _name, path in FEED_FILES]

    always = False  # a file made again by every build (its content depends on the time)

    # ------------------------------------------------------------ reading what is needed

    def _read(self, articles: list[SiteArticle]) -> None:
        """Read in full, a batch at a time, the articles whose page, entry or feed item is needed."""
        wanted = set(self.pages) | self.want_entries
        ids = [a.record["id"] for a in articles if a.record["id"] in wanted or a.record["id"] in self.want_records]
        batch = 1000
        for start in range(0, len(ids), batch):
            for article in self.source.records(ids[start : start + batch]):
                record = article.record
                article_id = record["id"]
                if article_id in self.pages:
                    self._render_article(article)
                if article_id in self.want_entries:
                    picture = self.pictures.get(article_id)
                    self.entries[article_id] = pages.entry_view(record, article.terms, self.site, picture)
                if article_id in self.want_records:
                    self.records[article_id] = record

    # ------------------------------------------------------------ redirects, sitemaps, the rest

    def _redirects(self, articles: list[SiteArticle]) -> None:
        """A page at each old address of an article: an old slug (articles/<slug>/), or a path
        an import kept (/2019/05/story/, /news/story.html). A path never replaces a page the build
        made itself, nor the page of an article that now has that slug."""
        from balita_cli.site.render import render

        current = {article.record["slug"] for article in articles}
        for article in articles:
            record = article.record
            for alias in record["aliases"]:
                path = pages.alias_file(alias)
                if alias in current or path is None or path in self.tree.current:
                    continue
                directory = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
                target = pages.root_prefix(directory) + pages.article_dir(record["slug"])
                context = {"lang": record["language"] or self.site.language, "title": record["title"],
                           "target": target, "target_url": record["url"]}  # fmt: skip
                key = self.key("redirect", path, context)
                if not self.tree.keep_if_current(path, key):
                    self.tree.put_text(path, render(self.environment, "redirect.html", context), key=key)

    def _sitemaps(self, articles: list[SiteArticle], lists: _Lists) -> tuple[list[str], str | None]:
        """The sitemap of every page, made from the light articles; the Google News sitemap (what
        was published in the last 48 hours), and until when it holds."""
        from balita_cli.formats import get_writer
        from balita_cli.timeutil import utcnow

        light = [article.record for article in articles]
        first = light[0]["published_at"] if light else None
        urls = [("", first)] + [(pages.term_dir(kind, slug), members[0].record["published_at"])
                                for (kind, slug), members in lists.groups.items()]  # fmt: skip
        list_urls = [{"url": pages.absolute(self.site, directory), "status": "published", "updated_at": changed,
                      "published_at": changed} for directory, changed in urls if changed]  # fmt: skip
        name, path = SITEMAP_FILES[0]
        key = self.key("sitemap", self._stamps(articles), list_urls)
        writer = get_writer(name)
        most = writer.capabilities.max_items
        if most is not None and len(light) + len(list_urls) > most and writer.capabilities.splits:
            self._split(writer, [*map(_sitemap_entry, light), *list_urls], key)
        elif not self.tree.keep_if_current(path, key):
            records = [*map(_sitemap_entry, light), *list_urls]
            self.tree.put(path, writer.render(records, self.site, feed_url=pages.absolute(self.site, path)), key=key)
        now = utcnow()
        recent, until = _news(light, now)
        name, path = SITEMAP_FILES[1]
        news = get_writer(name).render(recent, self.site, feed_url=pages.absolute(self.site, path), now=now)
        self.tree.put(path, news)
        return [path for _name, path in SITEMAP_FILES], until

    def _split(self, writer: Any, records: list[dict[str, Any]], key: str) -> None:
        """A writer that splits past its limit (sitemaps) writes into a scratch directory first, so
        its files go through the manifest like every other page."""
        previous = [path for path, entry in self.tree.previous.items()
                    if entry.get("key") == key and "/" not in path and path.startswith("sitemap")]  # fmt: skip
        if previous and all(self.tree.keep_if_current(path, key) for path in sorted(previous)):
            return
        with tempfile.TemporaryDirectory(prefix=".balita-build-") as scratch:
            writer.write_tree(records, Path(scratch), self.site)
            for path in sorted(Path(scratch).iterdir()):
                self.tree.put(path.name, path.read_bytes(), key=key)

    def _special_pages(self) -> None:
        """The search page and the page a server shows for a missing address (404.html)."""
        language = self.site.language
        t = words_for(language)
        if self.options.search:
            key = self.key("search-page")
            if not self.tree.keep_if_current(SEARCH_DIR + pages.INDEX, key):
                self.page("search.html", SEARCH_DIR, language, key=key, title=t["search_heading"])
        # Served at any depth ("/no/such/page/"), so its links start at the site's own path.
        key = self.key("not-found")
        if not self.tree.keep_if_current(NOT_FOUND, key):
            self.page("404.html", NOT_FOUND, language, key=key, root=pages.site_path(self.site),
                        title=t["not_found"])  # fmt: skip

    def _assets(self, sitemaps: list[str]) -> None:
        from balita_cli.site.render import STATIC_FILES, render, static_file

        for name in STATIC_FILES:
            self.tree.put(name, static_file(name, self.options.template_dir))
        path, data = self.logo_file
        self.tree.put(path, data)
        urls = [pages.absolute(self.site, path) for path in sitemaps]
        key = self.key("robots", urls)
        if not self.tree.keep_if_current("robots.txt", key):
            self.tree.put_text("robots.txt", render(self.environment, "robots.txt", {"sitemaps": urls}), key=key)

    def _search(self, article_pages: list[str]) -> SearchReport:
        from balita_cli.site.search import index_pages

        if not self.options.search:
            return SearchReport()
        if self.program is None:
            return SearchReport(pages=len(article_pages), problem=MISSING)
        return index_pages(self.tree, article_pages, program=self.program)


# ---------------------------------------------------------------- helpers


def _index(articles: list[SiteArticle]) -> list[dict[str, Any]]:
    """The light index related stories are found in (``site/related.py``): newest first, stories
    not yet published (in the preview) leading."""
    entries = []
    for article in articles:
        record, terms = article.record, article.terms
        entries.append({
            "id": record["id"], "slug": record["slug"], "title": record["title"],
            "published_at": record["published_at"],
            "section": terms["section"][0][1] if terms["section"] else "",
            "tags": tuple(sorted(slug for _name, slug in terms["tag"])), "listed": article.listed,
        })  # fmt: skip
    entries.sort(key=lambda entry: (entry["published_at"] or "9999", entry["id"]), reverse=True)
    return entries


class Previous(NamedTuple):
    """One article as the last build's manifest remembers it."""

    id: int
    token: str
    section: str
    tags: list[str]
    listed: bool


def _index_text(index: list[dict[str, Any]], token: dict[int, str]) -> str:
    """The index as the manifest keeps it: a line per article (slugs hold no tab, comma or newline)."""
    return "\n".join(
        f"{e['id']}\t{token[e['id']]}\t{e['section']}\t{','.join(e['tags'])}\t{int(e['listed'])}" for e in index
    )


def _previous_index(text: Any) -> list[Previous] | None:
    """The last build's index (None when the manifest holds none it can read: nothing is trusted)."""
    if not isinstance(text, str):
        return None
    found = []
    try:
        for line in text.split("\n") if text else ():
            article_id, token, section, tags, listed = line.split("\t")
            found.append(Previous(int(article_id), token, section, tags.split(",") if tags else [], listed == "1"))
    except ValueError:
        return None
    return found


def _memberships(section: str, tags: Iterable[str]) -> list[str]:
    return ([f"s:{section}"] if section else []) + [f"t:{tag}" for tag in tags]


def _affected(
    index: list[dict[str, Any]], previous: list[Previous] | None, changed: set[int] | None
) -> set[int] | None:
    """The articles whose related stories or section neighbours may differ from the last build's
    (None: any of them).

    A story's related stories are drawn from the ``NEAREST`` stories either side of it in each of
    its tags and its section, ranked by what they share and how far apart they are in the whole
    list. When no story moved in the whole list (nothing published, removed or re-dated), only the
    stories within reach of a changed one in a tag or section they share can see a difference:
    those are looked at again. Anything else that moved the list looks at every story again.
    """
    if changed is None or previous is None:
        return None
    if not changed:
        return set()
    order = [item.id for item in previous]
    old = {item.id: (item.section, item.tags) for item in previous}
    if order != [entry["id"] for entry in index]:
        return None
    touched: set[str] = set()
    current = {entry["id"]: entry for entry in index}
    for article_id in changed:
        entry = current.get(article_id)
        if entry is not None:
            touched.update(_memberships(entry["section"], entry["tags"]))
        if article_id in old:
            touched.update(_memberships(*old[article_id]))
    members: dict[str, list[int]] = defaultdict(list)
    for entry in index:
        article_id = entry["id"]
        names = set(_memberships(entry["section"], entry["tags"]))
        if article_id in changed and article_id in old:
            names.update(_memberships(*old[article_id]))
        for name in names & touched:
            members[name].append(article_id)
    affected = set(changed)
    for ids in members.values():
        for at, article_id in enumerate(ids):
            if article_id not in changed:
                continue
            for step in (-1, 1):
                seen, other = 0, at + step
                while 0 <= other < len(ids) and seen <= NEAREST_REACH:
                    neighbour = ids[other]
                    if neighbour not in changed:
                        affected.add(neighbour)
                        if current[neighbour]["listed"]:
                            seen += 1
                    other += step
    return affected


def _proto_entry(article: SiteArticle) -> dict[str, Any]:
    """What ``pages.front_page`` chooses by, for a story not read in full."""
    record, section = article.record, article.terms["section"]
    return {"id": record["id"], "featured": record["featured"], "retracted": record["status"] == "retracted",
            "section": {"path": pages.term_dir("section", section[0][1])} if section else None}  # fmt: skip


def _sitemap_entry(record: dict[str, Any]) -> dict[str, Any]:
    """What the sitemap reads of an article (``formats/sitemap.py``)."""
    return {"url": record["url"], "status": record["status"], "updated_at": record["updated_at"],
            "published_at": record["published_at"], "photo": record["photo"]}  # fmt: skip


def _news(light: list[dict[str, Any]], now: datetime) -> tuple[list[dict[str, Any]], str | None]:
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


def _bytes_digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _media_type(name: str) -> str:
    from balita_cli.formats import get_writer

    return get_writer(name).media_type
