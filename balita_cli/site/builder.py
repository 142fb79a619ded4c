"""The static site, rendered from what ``services/site.py`` reads: it never queries.

One pass over the articles (streamed, newest first) renders each article page as it comes and
keeps a light entry (no body) for the list pages, feeds and sitemaps that follow. A page whose
inputs (its article or entries, the settings, the templates) hash to what the last build recorded
is kept without rendering; every other page is rendered and handed to ``OutputTree``, which
writes only what changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.records import SiteArticle, Terms
from balita_cli.site import pages
from balita_cli.site.content import last_change
from balita_cli.site.output import BuildCounts, OutputTree
from balita_cli.site.render import STATIC_FILES, make_environment, render, static_file
from balita_cli.words import words_for

DEFAULT_PAGE_SIZE = 20
FEED_SIZE = 50
# (format name in balita_cli.formats, file in the output directory)
FEED_FILES = (("rss", "feed.xml"), ("atom", "atom.xml"), ("jsonfeed", "feed.json"))
SITEMAP_FILES = (("sitemap", "sitemap.xml"), ("news-sitemap", "news-sitemap.xml"))


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    template_dir: Path | None = None
    clean: bool = False
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass
class BuildReport:
    output: Path
    articles: int
    files: int
    counts: BuildCounts
    feeds: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "articles": self.articles,
            "files": self.files,
            **self.counts.summary(),
            "feeds": self.feeds,
        }


@dataclass
class Collected:
    """What the list pages, feeds and sitemaps need once every article page is written."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    latest: list[dict[str, Any]] = field(default_factory=list)  # full records, for the feeds
    light: list[dict[str, Any]] = field(default_factory=list)  # records without body, for sitemaps
    groups: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    aliases: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

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
        self.tree = OutputTree(options.output, clean=options.clean)
        self.feeds = [{"name": name, "path": path, "media_type": _media_type(name)} for name, path in FEED_FILES]
        self.sections = [{"name": name, "path": pages.term_dir("section", slug)} for name, slug in sections]
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Everything besides its own data that shapes a page: balita, settings, templates, words."""
        loader = self.environment.loader
        assert loader is not None  # make_environment always sets one
        templates = {name: loader.get_source(self.environment, name)[0] for name in self.environment.list_templates()}
        shared = [__version__, dataclasses.asdict(self.site), self.feeds, self.sections, templates,
                  words_for("en"), words_for("fil"), self.options.page_size]  # fmt: skip
        return _hash(shared)

    def key(self, *parts: Any) -> str:
        """A page's inputs: when they match the last build's, the page is kept without rendering."""
        return _hash([self.fingerprint, *parts])

    def page(self, template: str, directory: str, language: str, *, key: str | None = None, **context: Any) -> None:
        shared = {
            "site": self.site,
            "lang": language,
            "t": words_for(language),
            "root": pages.root_prefix(directory),
            "canonical": pages.absolute(self.site, directory),
            "feeds": self.feeds,
            "sections": self.sections,
        }
        self.tree.put_text(directory + pages.INDEX, render(self.environment, template, {**shared, **context}), key=key)

    def build(self, articles: Iterable[SiteArticle]) -> BuildReport:
        collected = Collected()
        for article in articles:
            record, terms = article.record, article.terms
            self.article_page(record, terms)
            if article.listed:
                collected.add(record, terms, pages.entry_view(record, self.site))
            else:
                collected.keep(record)
        self.list_pages("", "", collected.entries)
        for (kind, slug), members in collected.groups.items():
            self.list_pages(pages.term_dir(kind, slug), collected.names[(kind, slug)], members)
        self.redirects(collected.redirects())
        feeds = self.machine_files(FEED_FILES, collected.latest)
        sitemaps = self.machine_files(SITEMAP_FILES[:1], collected.light + collected.list_urls(self.site))
        sitemaps += self.machine_files(SITEMAP_FILES[1:], collected.light)  # news: articles only
        self.assets(sitemaps)
        counts = self.tree.finish()
        return BuildReport(self.options.output, len(collected.entries), len(self.tree.current), counts, feeds)

    def article_page(self, record: dict[str, Any], terms: Terms) -> None:
        directory = pages.article_dir(record["slug"])
        key = self.key("article", record, terms)
        if self.tree.keep_if_current(directory + pages.INDEX, key):
            return  # the same article, settings and templates as last time: no Markdown, no Jinja
        view = pages.article_view(record, terms, self.site)
        json_ld = pages.script_json(pages.news_article_ld(record, terms, self.site))
        self.page("article.html", directory, view["lang"], key=key, article=view, json_ld=json_ld)

    def list_pages(self, base: str, heading: str, entries: list[dict[str, Any]]) -> None:
        for page in pages.paginate(base, entries, self.options.page_size):
            key = self.key("list", heading, vars(page))  # shallow: asdict() would deep-copy every entry
            if not self.tree.keep_if_current(page.directory + pages.INDEX, key):
                self.page("list.html", page.directory, self.site.language, key=key, heading=heading, page=page)

    def redirects(self, aliases: list[tuple[str, dict[str, Any]]]) -> None:
        for alias, record in aliases:
            directory = pages.article_dir(alias)
            target = pages.root_prefix(directory) + pages.article_dir(record["slug"])
            context = {"lang": record["language"] or self.site.language, "title": record["title"],
                       "target": target, "target_url": record["url"]}  # fmt: skip
            self.tree.put_text(directory + pages.INDEX, render(self.environment, "redirect.html", context))

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

    def assets(self, sitemaps: list[str]) -> None:
        for name in STATIC_FILES:
            self.tree.put(name, static_file(name, self.options.template_dir))
        urls = [pages.absolute(self.site, path) for path in sitemaps]
        self.tree.put_text("robots.txt", render(self.environment, "robots.txt", {"sitemaps": urls}))


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _media_type(name: str) -> str:
    from balita_cli.formats import get_writer

    return get_writer(name).media_type


def build_site(articles: Iterable[SiteArticle], sections: list[tuple[str, str]], site: Site,
               options: BuildOptions) -> BuildReport:  # fmt: skip
    return SiteBuilder(site, options, sections).build(articles)
