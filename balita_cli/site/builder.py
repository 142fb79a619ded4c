"""The build service: published articles -> the static site in an output directory.

One pass over the articles (streamed, newest first) renders each article page as it comes and
keeps a light entry (no body) for the list pages, feeds and sitemaps that follow. A page whose
inputs (its article or entries, the settings, the templates) hash to what the last build recorded
is kept without rendering; every other page is rendered and handed to ``OutputTree``, which
writes only what changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.models import Article, Section, Status
from balita_cli.records import article_record
from balita_cli.site import pages
from balita_cli.site.content import last_change
from balita_cli.site.output import BuildCounts, OutputTree
from balita_cli.site.render import STATIC_FILES, make_environment, render, static_file
from balita_cli.site.words import words_for

# Only these reach readers; a retracted article keeps its URL to show its notice.
# Archived stories keep their page (links to them must not break) but leave the lists and feeds.
SITE_STATUSES = (Status.PUBLISHED, Status.RETRACTED, Status.ARCHIVED)
LISTED_STATUSES = (Status.PUBLISHED, Status.RETRACTED)
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
    missing_formats: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "articles": self.articles,
            "files": self.files,
            **self.counts.summary(),
            "feeds": self.feeds,
        }


Terms = dict[str, list[tuple[str, str]]]


def _terms(article: Article) -> Terms:
    """(name, slug) of the article's section, tags and authors, read while the session is open."""
    return {
        "section": [(article.section.name, article.section.slug)] if article.section else [],
        "tag": [(tag.name, tag.slug) for tag in article.tags],
        "author": [(author.name, author.slug) for author in article.authors],
    }


def site_records(session: Session, site: Site) -> Iterator[tuple[dict[str, Any], Terms]]:
    """Public records of what the site shows, newest first; retracted ones lose their body here."""
    from balita_cli.formats import public_only
    from balita_cli.services.query import ArticleFilter, stream_articles

    flt = ArticleFilter(statuses=SITE_STATUSES)
    for article in stream_articles(session, flt, sort="-published"):
        record = next(public_only([article_record(article, site.base_url)]), None)
        if record is None:
            continue
        if record["status"] == Status.RETRACTED.value:
            record = _retracted(record)
        yield record, _terms(article)


def _retracted(record: dict[str, Any]) -> dict[str, Any]:
    """What any output may show of a retracted article: the notice stands in for the story."""
    notice = record["retraction_reason"] or words_for(record["language"] or "en")["retracted"]
    return {**record, "body": "", "summary": notice, "subtitle": "", "image_url": "",
            "image_alt": "", "image_caption": "", "image_credit": "", "word_count": 0}  # fmt: skip


def navigation(session: Session) -> list[dict[str, str]]:
    """Sections that have something on the site, for the header of every page."""
    from balita_cli.services.query import ArticleFilter, conditions

    live = select(col(Article.section_id)).where(and_(*conditions(session, ArticleFilter(statuses=LISTED_STATUSES))))
    statement = select(col(Section.name), col(Section.slug))
    rows = session.execute(statement.where(col(Section.id).in_(live)).order_by(col(Section.name)))
    return [{"name": name, "path": pages.term_dir("section", slug)} for name, slug in rows]


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

    def __init__(self, session: Session, site: Site, options: BuildOptions) -> None:
        from balita_cli.formats import FORMAT_NAMES

        self.session = session
        self.site = site
        self.options = options
        self.environment: Environment = make_environment(options.template_dir)
        self.tree = OutputTree(options.output, clean=options.clean)
        self.feeds = [
            {"name": name, "path": path, "media_type": _media_type(name)}
            for name, path in FEED_FILES
            if name in FORMAT_NAMES
        ]
        self.missing = [name for name, _ in (*FEED_FILES, *SITEMAP_FILES) if name not in FORMAT_NAMES]
        self.sections = navigation(session)
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Everything besides its own data that shapes a page: balita, settings, templates, words."""
        templates = {name: self.environment.loader.get_source(self.environment, name)[0]  # type: ignore[union-attr]
                     for name in self.environment.list_templates()}  # fmt: skip
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

    def build(self) -> BuildReport:
        collected = Collected()
        for record, terms in site_records(self.session, self.site):
            self.article_page(record, terms)
            if record["status"] == Status.ARCHIVED.value:
                collected.keep(record)
            else:
                collected.add(record, terms, pages.entry_view(record, self.site))
        self.list_pages("", "", collected.entries)
        for (kind, slug), members in collected.groups.items():
            self.list_pages(pages.term_dir(kind, slug), collected.names[(kind, slug)], members)
        self.redirects(collected.redirects())
        feeds = self.machine_files(FEED_FILES, collected.latest)
        sitemaps = self.machine_files(SITEMAP_FILES[:1], collected.light + collected.list_urls(self.site))
        sitemaps += self.machine_files(SITEMAP_FILES[1:], collected.light)  # news: articles only
        self.assets(sitemaps)
        counts = self.tree.finish()
        return BuildReport(self.options.output, len(collected.entries), len(self.tree.current), counts,
                           feeds, self.missing)  # fmt: skip

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
        from balita_cli.formats import FORMAT_NAMES, get_stream_writer

        written = []
        options: dict[str, Any] = {"updated": last_change(records)} if records else {}
        for name, path in files:
            if name not in FORMAT_NAMES:
                continue
            writer = get_stream_writer(name)
            if len(records) > getattr(writer, "max_items", len(records)):
                self.split_files(writer, records)
            else:
                buffer = io.StringIO()
                writer.write(records, buffer, self.site, feed_url=pages.absolute(self.site, path), **options)
                self.tree.put_text(path, buffer.getvalue())
            written.append(path)
        return written

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


def build_site(session: Session, site: Site, options: BuildOptions) -> BuildReport:
    return SiteBuilder(session, site, options).build()
