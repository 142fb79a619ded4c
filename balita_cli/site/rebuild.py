"""A build in which something changed: which pages to make again, and making them.

Each page has a key made of its inputs (its articles' stamps, its place among its neighbours,
the build's fingerprint and navigation); a page whose key is the last build's is kept without
rendering, and only the articles whose page, list entry or feed item changed are read in full."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from balita_cli.config import Site
from balita_cli.errors import InvalidInput
from balita_cli.formats import get_writer
from balita_cli.media.images import inspect_image
from balita_cli.records import SiteArticle
from balita_cli.site import changes, pages
from balita_cli.site.options import (
    FEED_FILES,
    FEED_LABELS,
    LOGO_FORMATS,
    STATE_VERSION,
    BuildOptions,
    SiteSource,
    hash_of,
)
from balita_cli.site.output import OutputTree
from balita_cli.site.parallel import PageMakers
from balita_cli.site.photos import PhotoLibrary
from balita_cli.site.related import RelatedIndex
from balita_cli.site.render import make_environment, render, static_file
from balita_cli.site.search import MISSING, IndexedPage, SearchReport, index_pages
from balita_cli.words import locale_of, words_for

if TYPE_CHECKING:
    from balita_cli.site.photos import Picture
    from balita_cli.site.related import RelatedIndex


class Rebuild:
    """One build in which something changed (or nothing can be trusted)."""

    always = False  # a file made again by every build (its content depends on the time)

    def __init__(
        self,
        tree: OutputTree,
        site: Site,
        options: BuildOptions,
        source: SiteSource,
        digest: str,
        program: Path | None,
        *,
        fingerprint: str,
        logo_data: bytes | None,
    ) -> None:
        self.tree = tree
        self.site = site
        self.options = options
        self.source = source
        self.digest = digest
        self.program = program
        self.fingerprint = fingerprint
        self.logo_data = logo_data
        # Per article: what must be read in full, and for what.
        self.pages: dict[int, str] = {}  # article id -> the key of its page to make again
        self.want_entries: set[int] = set()
        self.want_records: set[int] = set()
        self.entries: dict[int, dict[str, Any]] = {}
        self.records: dict[int, dict[str, Any]] = {}
        self.later: list[Callable[[], None]] = []  # pages to make once the articles are read, in order
        self.feed_paths: list[str] = []  # every feed of this build, made again or kept
        self.indexed: list[IndexedPage] = []  # the pages of listed articles: what search holds

    def plan_articles(self, articles: list[SiteArticle]) -> tuple[list[str], set[int]]:
        """What every page shares, and each article page kept or noted to be made again. Returns
        the pages of listed articles (what the search index holds) and the photos that failed."""
        self._prepare(self.source.sections())
        self.pictures = self._pictures(articles)
        failed = {
            int(photo["id"])
            for article in articles
            if (photo := article.record["photo"]) is not None and article.record["id"] not in self.pictures
        }
        # What lists and keys compare: the stamp, and whether the photo could be shown.
        self.token = {
            a.record["id"]: a.record["stamp"] + ("!" if a.record["id"] in self.failed_ids else "") for a in articles
        }
        self.index = changes.article_index(articles)
        return self._article_pages(articles, self._affected(failed)), failed

    def state(self, listed: int, failed: set[int], news_until: str | None) -> dict[str, Any]:
        """What the next build compares itself with (``digest`` None: it must not stop early)."""
        stands = not self.photos.problems and not self.always
        return {
            "version": STATE_VERSION,
            "source": self.source.identity,
            "pages": self.shared,
            "digest": self.digest if stands else None,
            "news_until": news_until,
            "photos": self.photos.made + self.photos.reused,
            "listed": listed,
            "failed_photos": sorted(failed),
            "index": changes.index_text(self.index, self.token),
        }

    def _affected(self, failed: set[int]) -> set[int] | None:
        """The articles whose page key must be worked out again (None: every one): nothing of the
        last build is trusted unless it read the same database with the same fingerprint."""
        state = self.tree.previous_state
        if (state.get("version"), state.get("source"), state.get("pages")) != (
            STATE_VERSION,
            self.source.identity,
            self.shared,
        ):
            return None
        previous = changes.previous_index(state.get("index"))
        if previous is None:
            return None
        remembered = state.get("failed_photos")
        before = {item for item in remembered if isinstance(item, int)} if isinstance(remembered, list) else set()
        changed = self._changed(previous, failed | before)
        return changes.affected(self.index, previous, changed)

    # ------------------------------------------------------------ what every page shares

    def _prepare(self, sections: list[tuple[str, str]]) -> None:
        """What rendering needs: the template engine, the logo, the navigation, the photos."""
        self.environment = make_environment(self.options.template_dir)
        self.photos = PhotoLibrary(self.tree, self.options.media, self.options.photo_seed)
        self.feeds = [
            {"name": name, "path": path, "media_type": _media_type(name), "label": FEED_LABELS[name]}
            for name, path in FEED_FILES
        ]
        self.sections = [{"name": name, "path": pages.term_dir("section", slug)} for name, slug in sections]
        self.logo_file, self.logo = self._logo()
        self.site_pages = self.source.pages()
        self.page_links = [
            {"title": page["title"], "path": pages.page_path(page["slug"]), "role": page["role"]}
            for page in self.site_pages
        ]
        corrections = [link["path"] for link in self.page_links if link["role"] == "corrections"]
        self.corrections_policy = corrections[0] if corrections else None
        # Every page shows the navigation and the footer's links to the site's pages: they are
        # part of every page's inputs.
        self.shared = hash_of([self.fingerprint, sections, self.page_links])

    def _logo(self) -> tuple[tuple[str, bytes], dict[str, Any]]:
        """The publisher's logo: its file in the output and what JSON-LD says of it (what its
        inspection found is kept in the manifest, so an unchanged logo is not decoded again)."""
        if self.logo_data is None or self.options.logo is None:
            data, name = static_file("logo.png", self.options.template_dir), "logo.png"
        else:
            data, name = self.logo_data, self.options.logo.name
        digest = hash_of(["logo", self.site.base_url, _bytes_digest(data)])
        known = self.tree.previous_memo.get("logo")
        if isinstance(known, dict) and known.get("digest") == digest and self._sound_logo(known.get("logo")):
            logo = dict(known["logo"])
        else:
            info = inspect_image(data, name=name)
            if info.format not in LOGO_FORMATS:
                raise InvalidInput(f"logo {name} is {info.format.upper()}; use PNG, JPEG or WebP")
            path = f"logo.{LOGO_FORMATS[info.format]}"
            logo = {"url": pages.absolute(self.site, path), "width": info.width, "height": info.height, "path": path}
        self.tree.memo["logo"] = {"digest": digest, "logo": logo}
        return (str(logo["path"]), data), logo

    def _sound_logo(self, logo: Any) -> bool:
        """What the manifest remembers of the logo is what inspecting it could have found (the
        manifest lies in the output folder: its path must not point at another page)."""
        if not isinstance(logo, dict) or logo.get("path") not in {f"logo.{ext}" for ext in LOGO_FORMATS.values()}:
            return False
        sizes = (logo.get("width"), logo.get("height"))
        whole = all(isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in sizes)
        return whole and logo.get("url") == pages.absolute(self.site, logo["path"]) and len(logo) == 4

    def key(self, *parts: Any) -> str:
        """A page's inputs: when they match the last build's, the page is kept without rendering."""
        return hash_of([self.shared, *parts])

    def page(
        self,
        template: str,
        directory: str,
        language: str,
        *,
        key: str | None = None,
        root: str | None = None,
        **context: Any,
    ) -> None:
        self.tree.put_text(*self.render_page(template, directory, language, root=root, **context), key=key)

    def render_page(
        self, template: str, directory: str, language: str, *, root: str | None = None, **context: Any
    ) -> tuple[str, str]:
        """A page's path in the output and its HTML."""
        shared = {
            "site": self.site,
            # The page's language (Pagefind files the page by <html lang>) and its words...
            "lang": language,
            "w": words_for(language),
            "locale": locale_of(language),
            # ...and the site's, which the navigation, header and footer keep on every page.
            "t": words_for(self.site.language),
            "chrome_lang": _lang_attribute(self.site.language) if language != self.site.language else "",
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
            "site_pages": self.page_links,
            "corrections_policy": self.corrections_policy,
        }
        path = directory if directory.endswith(".html") else directory + pages.INDEX
        return path, render(self.environment, template, {**shared, **context})

    def stamps(self, articles: Iterable[SiteArticle]) -> list[str]:
        """What a list, feed or sitemap key holds of the stories it shows."""
        return [self.token[article.record["id"]] for article in articles]

    def want(self, articles: Iterable[SiteArticle], *, entries: bool = False, full: bool = False) -> None:
        """Have these articles read in full, for their list entries or their full records (feeds)."""
        for article in articles:
            if entries:
                self.want_entries.add(article.record["id"])
            if full:
                self.want_records.add(article.record["id"])

    # ------------------------------------------------------------ what changed

    @property
    def failed_ids(self) -> set[int]:
        return self._failed_ids

    @cached_property
    def related(self) -> RelatedIndex:
        """Related stories and section neighbours, worked out only when a page needs them."""
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

    def _changed(self, previous: list[changes.Previous], photos: set[int]) -> set[int]:
        """Articles whose stamp is not the last build's (new ones, and ones gone, too), and those
        whose photo could not be shown, then or now."""
        before = {item.id: item.token for item in previous}
        changed = {entry["id"] for entry in self.index if before.get(entry["id"]) != self.token[entry["id"]]}
        changed |= set(before) - {entry["id"] for entry in self.index}
        if photos:
            changed |= {
                a.record["id"]
                for a in self.source.articles
                if a.record["photo"] is not None and int(a.record["photo"]["id"]) in photos
            }
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
                picture = self.pictures.get(article_id)
                inputs = hash_of([self.token[article_id], picture.identity() if picture else None])
                self.indexed.append(IndexedPage(path, article_id, record["published_at"] or "", inputs))
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

    def article_page(self, article: SiteArticle) -> tuple[str, str]:
        """An article's page: its path and HTML (``site/parallel.py`` may make it in a worker)."""
        record, terms = article.record, article.terms
        picture = self.pictures.get(record["id"])
        neighbours = self.related.neighbours(record["id"])
        view = pages.article_view(record, terms, self.site, picture, neighbours)
        json_ld = pages.script_json(pages.news_article_ld(record, terms, self.site, picture, self.logo))
        share = pages.share_image(self.site, picture, record)
        return self.render_page(
            "article.html",
            pages.article_dir(record["slug"]),
            view["lang"],
            article=view,
            json_ld=json_ld,
            share=share,
            title=record["title"],
        )

    # ------------------------------------------------------------ reading what is needed

    def read(self, articles: list[SiteArticle]) -> None:
        """Read in full, a batch at a time, the articles whose page, entry or feed item is needed;
        their pages are made on every core the build may use (``site/parallel.py``)."""
        wanted = set(self.pages) | self.want_entries
        ids = [a.record["id"] for a in articles if a.record["id"] in wanted or a.record["id"] in self.want_records]
        batch = 1000
        with PageMakers(self, len(self.pages)) as makers:
            for start in range(0, len(ids), batch):
                read = self.source.records(ids[start : start + batch])
                made = makers.make([article for article in read if article.record["id"] in self.pages])
                for (path, html), article_id in made:
                    self.tree.put_text(path, html, key=self.pages[article_id])
                for article in read:
                    self._keep_for_lists(article)

    def _keep_for_lists(self, article: SiteArticle) -> None:
        record = article.record
        article_id = record["id"]
        if article_id in self.want_entries:
            picture = self.pictures.get(article_id)
            self.entries[article_id] = pages.entry_view(record, article.terms, self.site, picture)
        if article_id in self.want_records:
            self.records[article_id] = record

    def search(self, article_pages: list[str]) -> SearchReport:
        if not self.options.search:
            return SearchReport()
        if self.program is None:
            return SearchReport(pages=len(article_pages), problem=MISSING)
        present = set(article_pages)
        pages = [page for page in self.indexed if page.path in present]
        return index_pages(self.tree, pages, fingerprint=self.fingerprint, program=self.program)


# ---------------------------------------------------------------- helpers


def _bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _media_type(name: str) -> str:
    return get_writer(name).media_type


def _lang_attribute(language: str) -> Markup:
    """`` lang="…"`` for the parts of a page in the site's language when the page's is another."""
    return Markup(' lang="{}"').format(language)
