"""The static site, rendered from what ``services/site.py`` reads: it never queries.

One pass over the articles (streamed, newest first) renders each article page as it comes and
keeps a light entry (no body) for the front page, list pages, feeds and sitemaps that follow.
Related stories and the previous and next story of a section come from a light index of every
article read before the pass. A page whose inputs (its article or entries, its neighbours, its
photo, the settings, the templates) hash to what the last build recorded is kept without
rendering; every other page is rendered and handed to ``OutputTree``, which writes only what
changed. Photos become renditions once (``site/photos.py``); the search index is made by
Pagefind when an article page changed (``site/search.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.errors import InvalidInput
from balita_cli.media.store import MediaStore
from balita_cli.records import SiteArticle, Terms
from balita_cli.site import pages
from balita_cli.site.content import last_change
from balita_cli.site.output import BuildCounts, OutputTree
from balita_cli.site.photos import PhotoLibrary, Picture
from balita_cli.site.related import RelatedIndex
from balita_cli.site.render import STATIC_FILES, make_environment, render, static_file
from balita_cli.site.search import SearchReport, index_pages
from balita_cli.words import words_for

DEFAULT_PAGE_SIZE = 20
FEED_SIZE = 50
TERM_FEED_SIZE = 20  # items in each section's, tag's and author's own feed
TERM_FEED = "feed.xml"
# (format name in balita_cli.formats, file in the output directory)
FEED_FILES = (("rss", "feed.xml"), ("atom", "atom.xml"), ("jsonfeed", "feed.json"))
FEED_LABELS = {"rss": "RSS", "atom": "Atom", "jsonfeed": "JSON Feed"}
SITEMAP_FILES = (("sitemap", "sitemap.xml"), ("news-sitemap", "news-sitemap.xml"))
SEARCH_DIR = "search/"
NOT_FOUND = "404.html"
LOGO_FORMATS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
MAX_LOGO_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    template_dir: Path | None = None
    clean: bool = False
    force: bool = False  # overwrite files in the output that the build never wrote
    page_size: int = DEFAULT_PAGE_SIZE
    media_root: Path | None = None  # the media library (originals); None: photos are left out
    logo: Path | None = None  # the publisher's logo; None: the one balita ships
    search: bool = True  # make the Pagefind index
    preview: bool = False  # drafts shown with a ribbon, and a script that reloads on change
    photo_seed: Path | None = None  # another build's output to link existing renditions from


@dataclass
class BuildReport:
    output: Path
    articles: int
    files: int
    counts: BuildCounts
    feeds: list[str] = field(default_factory=list)
    photos: dict[str, int] = field(default_factory=dict)
    search: SearchReport = field(default_factory=SearchReport)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "articles": self.articles,
            "files": self.files,
            **self.counts.summary(),
            "feeds": self.feeds,
            "photos": self.photos,
            "search": self.search.summary(),
            "problems": self.problems,
        }


@dataclass
class Collected:
    """What the list pages, feeds and sitemaps need once every article page is written."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    latest: list[dict[str, Any]] = field(default_factory=list)  # full records, for the feeds
    light: list[dict[str, Any]] = field(default_factory=list)  # records without body, for sitemaps
    groups: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    group_records: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    aliases: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    article_pages: list[str] = field(default_factory=list)

    def keep(self, record: dict[str, Any]) -> dict[str, Any]:
        """An article with a page: in the sitemap, and its old slugs redirect to it."""
        light = {**record, "body": ""}
        self.light.append(light)
        self.aliases.extend((alias, light) for alias in record["aliases"])
        return light

    def add(self, record: dict[str, Any], terms: Terms, entry: dict[str, Any]) -> None:
        """An article that is also listed: home, its section, tag and author pages, the feeds."""
        self.keep(record)
        self.entries.append(entry)
        if len(self.latest) < FEED_SIZE:
            self.latest.append(record)
        for kind, pairs in terms.items():
            for name, slug in pairs:
                self.groups[(kind, slug)].append({**entry, "_changed": record["published_at"]})
                self.names[(kind, slug)] = name
                if len(self.group_records[(kind, slug)]) < TERM_FEED_SIZE:
                    self.group_records[(kind, slug)].append(record)

    def redirects(self) -> list[tuple[str, dict[str, Any]]]:
        """Old slugs that no current article has taken over."""
        current = {record["slug"] for record in self.light}
        return [(alias, record) for alias, record in self.aliases if alias not in current]

    def list_urls(self, site: Site) -> list[dict[str, Any]]:
        """The home, section, tag and author pages as small sitemap entries (newest article = lastmod)."""
        lists = [("", self.light[0]["published_at"] if self.light else None)]
        lists += [(pages.term_dir(kind, slug), members[0]["_changed"]) for (kind, slug), members in self.groups.items()]
        return [
            {
                "url": pages.absolute(site, directory),
                "status": "published",
                "updated_at": changed,
                "published_at": changed,
            }  # fmt: skip
            for directory, changed in lists
            if changed
        ]


class SiteBuilder:
    """Holds what every page shares and writes pages into the output tree."""

    def __init__(self, site: Site, options: BuildOptions, sections: list[tuple[str, str]]) -> None:
        self.site = site
        self.options = options
        self.environment: Environment = make_environment(options.template_dir)
        self.tree = OutputTree(options.output, clean=options.clean, force=options.force)
        store = MediaStore(options.media_root) if options.media_root is not None else None
        self.photos = PhotoLibrary(self.tree, store, options.photo_seed)
        self.feeds = [{"name": name, "path": path, "media_type": _media_type(name), "label": FEED_LABELS[name]}
                      for name, path in FEED_FILES]  # fmt: skip
        self.sections = [{"name": name, "path": pages.term_dir("section", slug)} for name, slug in sections]
        self.logo_file, self.logo = self._logo()
        self.fingerprint = self._fingerprint()

    def _logo(self) -> tuple[tuple[str, bytes], dict[str, Any]]:
        """The publisher's logo: its file in the output and what JSON-LD says of it."""
        from balita_cli.media.images import inspect_image

        if self.options.logo is None:
            data, name = static_file("logo.png", self.options.template_dir), "logo.png"
        else:
            try:
                if self.options.logo.stat().st_size > MAX_LOGO_BYTES:
                    raise InvalidInput(f"logo {self.options.logo} is larger than {MAX_LOGO_BYTES // 1048576} MB")
                data = self.options.logo.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"cannot read the logo {self.options.logo}: {exc.strerror or exc}") from None
            name = self.options.logo.name
        info = inspect_image(data, name=name)
        if info.format not in LOGO_FORMATS:
            raise InvalidInput(f"logo {name} is {info.format.upper()}; use PNG, JPEG or WebP")
        path = f"logo.{LOGO_FORMATS[info.format]}"
        logo = {"url": pages.absolute(self.site, path), "width": info.width, "height": info.height, "path": path}
        return (path, data), logo

    def _fingerprint(self) -> str:
        """Everything besides its own data that shapes a page: balita, settings, templates, words."""
        loader = self.environment.loader
        assert loader is not None  # make_environment always sets one
        templates = {name: loader.get_source(self.environment, name)[0] for name in self.environment.list_templates()}
        shared = [__version__, dataclasses.asdict(self.site), self.feeds, self.sections, templates,
                  words_for("en"), words_for("fil"), self.options.page_size, self.logo, self.options.preview,
                  self.options.search]  # fmt: skip
        return _hash(shared)

    def key(self, *parts: Any) -> str:
        """A page's inputs: when they match the last build's, the page is kept without rendering."""
        return _hash([self.fingerprint, *parts])

    def page(self, template: str, directory: str, language: str, *, key: str | None = None,
             root: str | None = None, **context: Any) -> None:  # fmt: skip
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

    def build(self, articles: Iterable[SiteArticle], index: Sequence[dict[str, Any]] = ()) -> BuildReport:
        related = RelatedIndex(index)
        collected = Collected()
        for article in articles:
            record, terms = article.record, article.terms
            picture = self.photos.picture(record.get("photo"))
            self.article_page(record, terms, picture, related)
            if article.listed:  # archived stories keep their page but leave lists, feeds and search
                collected.article_pages.append(pages.article_dir(record["slug"]) + pages.INDEX)
                collected.add(record, terms, pages.entry_view(record, terms, self.site, picture))
            else:
                collected.keep(record)
        self.front_page(collected.entries)
        for (kind, slug), members in collected.groups.items():
            self.list_pages(kind, slug, collected.names[(kind, slug)], members)
            self.term_feed(kind, slug, collected.names[(kind, slug)], collected.group_records[(kind, slug)])
        self.redirects(collected.redirects())
        feeds = self.machine_files(FEED_FILES, collected.latest)
        sitemaps = self.machine_files(SITEMAP_FILES[:1], collected.light + collected.list_urls(self.site))
        sitemaps += self.machine_files(SITEMAP_FILES[1:], collected.light)  # news: articles only
        self.special_pages()
        self.assets(sitemaps)
        search = index_pages(self.tree, collected.article_pages) if self.options.search else SearchReport()
        problems = [*self.photos.problems] + ([search.problem] if search.problem else [])
        counts = self.tree.finish()
        photos = {"made": self.photos.made, "reused": self.photos.reused}
        return BuildReport(self.options.output, len(collected.entries), len(self.tree.current), counts, feeds,
                           photos, search, problems)  # fmt: skip

    def article_page(self, record: dict[str, Any], terms: Terms, picture: Picture | None,
                     related: RelatedIndex) -> None:  # fmt: skip
        directory = pages.article_dir(record["slug"])
        neighbours = related.neighbours(record["id"])
        shown = picture.identity() if picture else None
        around = [*neighbours.related, neighbours.newer or {}, neighbours.older or {}]
        linked = [(e.get("slug"), e.get("title"), e.get("published_at")) for e in around]  # cheaper than asdict()
        key = self.key("article", record, terms, shown, linked)
        if self.tree.keep_if_current(directory + pages.INDEX, key):
            return  # the same article, settings and templates as last time: no Markdown, no Jinja
        view = pages.article_view(record, terms, self.site, picture, neighbours)
        json_ld = pages.script_json(pages.news_article_ld(record, terms, self.site, picture, self.logo))
        share = pages.share_image(self.site, picture, record)
        self.page("article.html", directory, view["lang"], key=key, article=view, json_ld=json_ld, share=share,
                  title=record["title"])  # fmt: skip

    def front_page(self, entries: list[dict[str, Any]]) -> None:
        language = self.site.language
        t = words_for(language)
        for page in pages.paginate("", entries, self.options.page_size):
            if page.number == 1:
                front = pages.front_page(entries, self.sections)
                shown = {name: _light(value) for name, value in front.items() if name != "blocks"}
                shown["blocks"] = [(block["section"], _light(block["entries"])) for block in front["blocks"]]
                key = self.key("front", shown, _page_key(page))
                if not self.tree.keep_if_current(pages.INDEX, key):
                    self.page("home.html", "", language, key=key, front=front, page=page)
                continue
            heading = t["latest"]
            key = self.key("list", heading, _page_key(page))
            if not self.tree.keep_if_current(page.directory + pages.INDEX, key):
                self.page("list.html", page.directory, language, key=key, heading=heading, kind="", page=page,
                          title=pages.page_title(heading, page.number, language))  # fmt: skip

    def list_pages(self, kind: str, slug: str, name: str, entries: list[dict[str, Any]]) -> None:
        language = self.site.language
        base = pages.term_dir(kind, slug)
        heading = pages.list_heading(kind, name, language)
        list_feed = {"path": base + TERM_FEED, "title": f"{heading} — {self.site.name}"}
        for page in pages.paginate(base, entries, self.options.page_size):
            key = self.key("list", kind, heading, _page_key(page))
            if not self.tree.keep_if_current(page.directory + pages.INDEX, key):
                self.page("list.html", page.directory, language, key=key, heading=heading, kind=kind, page=page,
                          title=pages.page_title(heading, page.number, language), list_feed=list_feed)  # fmt: skip

    def term_feed(self, kind: str, slug: str, name: str, records: list[dict[str, Any]]) -> None:
        """The RSS feed of one section, tag or author: its newest stories."""
        from balita_cli.formats import get_writer

        path = pages.term_dir(kind, slug) + TERM_FEED
        title = f"{pages.list_heading(kind, name, self.site.language)} — {self.site.name}"
        key = self.key("feed", path, title, records)
        if self.tree.keep_if_current(path, key):
            return
        writer = get_writer("rss")
        document = writer.render(records, self.site, feed_url=pages.absolute(self.site, path), title=title,
                                 updated=last_change(records))  # fmt: skip
        self.tree.put(path, document, key=key)

    def redirects(self, aliases: list[tuple[str, dict[str, Any]]]) -> None:
        """A page at each old address of an article: an old slug (articles/<slug>/), or a path
        an import kept (/2019/05/story/, /news/story.html). A path never replaces a page the build
        made itself."""
        for alias, record in aliases:
            path = pages.alias_file(alias)
            if path is None or path in self.tree.current:
                continue
            directory = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            target = pages.root_prefix(directory) + pages.article_dir(record["slug"])
            context = {"lang": record["language"] or self.site.language, "title": record["title"],
                       "target": target, "target_url": record["url"]}  # fmt: skip
            self.tree.put_text(path, render(self.environment, "redirect.html", context))

    def machine_files(self, files: tuple[tuple[str, str], ...], records: list[dict[str, Any]]) -> list[str]:
        from balita_cli.formats import get_writer

        options: dict[str, Any] = {"updated": last_change(records)} if records else {}
        for name, path in files:
            writer = get_writer(name)
            most = writer.capabilities.max_items
            if most is not None and len(records) > most and writer.capabilities.splits:
                self.split_files(writer, records)
            else:
                document = writer.render(records, self.site, feed_url=pages.absolute(self.site, path), **options)
                self.tree.put(path, document)
        return [path for _name, path in files]

    def split_files(self, writer: Any, records: list[dict[str, Any]]) -> None:
        """A writer that splits past its limit (sitemaps) writes into a scratch directory first, so
        its files go through the manifest like every other page."""
        with tempfile.TemporaryDirectory(prefix=".balita-build-") as scratch:
            writer.write_tree(records, Path(scratch), self.site)
            for path in sorted(Path(scratch).iterdir()):
                self.tree.put(path.name, path.read_bytes())

    def special_pages(self) -> None:
        """The search page and the page a server shows for a missing address (404.html)."""
        language = self.site.language
        t = words_for(language)
        if self.options.search:
            self.page("search.html", SEARCH_DIR, language, title=t["search_heading"])
        # Served at any depth ("/no/such/page/"), so its links start at the site's own path.
        self.page("404.html", NOT_FOUND, language, root=pages.site_path(self.site), title=t["not_found"])

    def assets(self, sitemaps: list[str]) -> None:
        for name in STATIC_FILES:
            self.tree.put(name, static_file(name, self.options.template_dir))
        path, data = self.logo_file
        self.tree.put(path, data)
        urls = [pages.absolute(self.site, path) for path in sitemaps]
        self.tree.put_text("robots.txt", render(self.environment, "robots.txt", {"sitemaps": urls}))


def _light(entries: Any) -> Any:
    """Entries without their image views (``image_key`` says what those follow from): what a
    list page's hash needs, at a fraction of the size."""
    if entries is None:
        return None
    if isinstance(entries, dict):
        return {key: value for key, value in entries.items() if key != "image"}
    return [_light(entry) for entry in entries]


def _page_key(page: pages.ListPage) -> list[Any]:
    return [page.directory, page.number, page.total, page.newer, page.older, page.numbers, _light(page.entries)]


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _media_type(name: str) -> str:
    from balita_cli.formats import get_writer

    return get_writer(name).media_type


def build_site(articles: Iterable[SiteArticle], sections: list[tuple[str, str]], site: Site,
               options: BuildOptions, index: Sequence[dict[str, Any]] = ()) -> BuildReport:  # fmt: skip
    return SiteBuilder(site, options, sections).build(articles, index)
