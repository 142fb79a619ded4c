"""The static site, rendered from what ``services/site.py`` reads: it never queries.

The build is told what the site shows as a *snapshot* (``SiteSource``): a ``digest`` of what says
whether anything changed (read from indexes, without reading the articles), and, when asked, every
article light (no body) with a ``stamp`` that moves whenever anything its page, list entries or
feed items show changes. What each page was made from is kept in the output's manifest, so a
build does only what the database says changed:

1. **Nothing changed** (the digest, the settings, templates and balita itself as last time, every
   file still there with its size): the build ends there, without reading one article, loading
   the template engine or writing anything (this module).
2. **Something changed**: each page's inputs are compared with the last build's; pages whose
   inputs are the same are kept, the others made again from the only articles read in full
   (``site/rebuild.py``; what changed is worked out in ``site/changes.py``, lists and feeds in
   ``site/lists.py``, sitemaps in ``site/sitemaps.py``, the other files in ``site/fixed_pages.py``).
3. **No trust** (no manifest, one that is damaged, from an older balita or another database,
   other settings or templates, ``--clean``): every page is made (``site/rebuild.py`` too).

Photos become renditions once (``site/photos.py``); the search index is made by Pagefind only when
an article page it indexes changed (``site/search.py``). Files are written by ``OutputTree``,
which writes only bytes that changed and removes what the last build made and this one does not.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.errors import InvalidInput
from balita_cli.site.options import (
    FEED_FILES,
    SITEMAP_FILES,
    STATE_VERSION,
    BuildOptions,
    BuildReport,
    SiteSource,
    hash_of,
)
from balita_cli.site.output import OutputTree
from balita_cli.site.search import MISSING, SearchReport, languages, pagefind_program
from balita_cli.timeutil import utcnow
from balita_cli.words import words_for

MAX_LOGO_BYTES = 5 * 1024 * 1024
PACKAGE = Path(__file__).resolve().parent


def _files_digest(digest: Any, root: Path, label: str) -> None:
    """Every file under ``root`` (name and bytes) into ``digest``: templates and static files."""
    if not root.is_dir():
        return
    for directory, folders, names in os.walk(root):
        folders.sort()
        for name in sorted(names):
            path = Path(directory, name)
            try:
                data = path.read_bytes()
            except OSError:
                continue  # a file that cannot be read is not a template the build can use either
            digest.update(f"{label}:{path.relative_to(root).as_posix()}:{len(data)}:".encode())
            digest.update(data)


class SiteBuilder:
    """One build: what every page shares, and whether the last build still stands."""

    def __init__(self, site: Site, options: BuildOptions) -> None:
        self.site = site
        self.options = options
        self.tree = OutputTree(options.output, clean=options.clean, force=options.force)
        self.logo_data = self._logo_data()
        self.fingerprint = self._fingerprint()

    def _logo_data(self) -> bytes | None:
        """The publisher's own logo file, read with a size limit (None: the shipped or template one)."""
        logo = self.options.logo
        if logo is None:
            return None
        try:
            if logo.stat().st_size > MAX_LOGO_BYTES:
                raise InvalidInput(f"logo {logo} is larger than {MAX_LOGO_BYTES // 1048576} MB")
            return logo.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read the logo {logo}: {exc.strerror or exc}") from None

    def _fingerprint(self) -> str:
        """Everything besides the articles that shapes the output: balita, the settings, the
        templates, static files and logo, the site's words and the build's options. Read from the
        files themselves, so a build with nothing to do never loads the template engine."""
        options = self.options
        shared = [
            STATE_VERSION,
            __version__,
            dataclasses.asdict(self.site),
            FEED_FILES,
            SITEMAP_FILES,
            words_for("en"),
            words_for("fil"),
            options.page_size,
            options.preview,
            options.search,
            options.media is not None,
            options.hubs,
        ]
        digest = hashlib.sha256(repr(shared).encode("utf-8"))
        _files_digest(digest, PACKAGE / "templates", "templates")
        _files_digest(digest, PACKAGE / "static", "static")
        if options.template_dir is not None:
            _files_digest(digest, options.template_dir, "site")
        if self.logo_data is not None:
            digest.update(b"logo:" + self.logo_data)
        return digest.hexdigest()

    # ------------------------------------------------------------ the build

    def build(self, source: SiteSource) -> BuildReport:
        program = pagefind_program() if self.options.search else None
        stamp = _program_stamp(program)
        digest = hash_of([self.fingerprint, source.identity, source.digest, stamp])
        state = self.tree.previous_state
        if _state_stands(state, digest):
            if self.tree.keep_all():
                return self._kept(source, program)
        # Tens of thousands of small objects live for the whole build and make no cycles worth
        # looking for: the collector's passes over them cost more than they could free.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._rebuild(source, digest, program)
        except BaseException:
            self.tree.record_unfinished()  # what it wrote stays balita's for the next build
            raise
        finally:
            if collecting:
                gc.enable()

    def _rebuild(self, source: SiteSource, digest: str, program: Path | None) -> BuildReport:
        """Something changed: the pages whose inputs changed are made again."""
        # here: a build with nothing to do loads neither the page makers nor the template engine
        from balita_cli.site import fixed_pages, lists, redirect_map, sitemaps
        from balita_cli.site.rebuild import Rebuild

        rebuild = Rebuild(
            self.tree,
            self.site,
            self.options,
            source,
            digest,
            program,
            fingerprint=self.fingerprint,
            logo_data=self.logo_data,
        )
        articles = source.articles
        article_pages, failed = rebuild.plan_articles(articles)
        listing = lists.gather_lists(articles)
        lists.plan_lists(rebuild, listing)
        feeds = lists.plan_site_feeds(rebuild, listing)
        rebuild.read(articles)
        for make in rebuild.later:
            make()
        sitemap_files, news_until = sitemaps.write_sitemaps(rebuild, articles, listing)
        fixed_pages.site_pages(rebuild)
        fixed_pages.special_pages(rebuild)
        fixed_pages.assets(rebuild, sitemap_files)
        search = rebuild.search([path for path in article_pages if path in self.tree.current])
        redirect_map.write_map(rebuild, fixed_pages.redirects(rebuild, articles))
        problems = [*source.planted, *rebuild.photos.problems] + ([search.problem] if search.problem else [])
        counts = self.tree.finish(rebuild.state(len(listing.listed), failed, news_until))
        photos = {"made": rebuild.photos.made, "reused": rebuild.photos.reused}
        written = set(counts.written)
        changed = [path for path in rebuild.feed_paths if path in written]
        files = len(self.tree.current)
        return BuildReport(
            self.options.output, len(listing.listed), files, counts, feeds, photos, search, problems, changed
        )

    def _kept(self, source: SiteSource, program: Path | None) -> BuildReport:
        """Nothing the site is made of has changed, and every file is there: the last build stands."""
        state = self.tree.previous_state
        listed = int(state["listed"])
        search = SearchReport()
        if self.options.search:
            search = SearchReport(
                pages=listed,
                reused=program is not None,
                languages=languages(self.tree.root) if program is not None else [],
                problem="" if program is not None else MISSING,
            )
        counts = self.tree.counts  # the manifest stands as it is
        problems = [search.problem] if search.problem else []
        photos = {"made": 0, "reused": int(state["photos"])}
        return BuildReport(
            self.options.output,
            listed,
            counts.kept,
            counts,
            [path for _name, path in FEED_FILES],
            photos,
            search,
            problems,
        )


def _state_stands(state: dict[str, Any], digest: str) -> bool:
    """The last build was made from everything this one would be made from, and what its state
    says can be believed (the manifest lies in the output folder: its values are checked)."""
    counts = (state.get("listed"), state.get("photos"))
    return (
        state.get("version") == STATE_VERSION
        and state.get("digest") == digest
        and all(isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in counts)
        and _news_current(state.get("news_until"))
    )


def _news_current(until: Any) -> bool:
    """The news sitemap the last build wrote still holds (no story entered or left its window)."""
    if until is None:
        return True
    try:
        moment = datetime.fromisoformat(until) if isinstance(until, str) else None
    except ValueError:
        return False
    return moment is not None and moment.tzinfo is not None and utcnow() < moment


def _program_stamp(program: Path | None) -> list[Any]:
    if program is None:
        return []
    try:
        info = program.stat()
    except OSError:
        return [str(program)]
    return [str(program), info.st_size, info.st_mtime_ns]
