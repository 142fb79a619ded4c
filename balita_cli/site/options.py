"""What a build is told (``BuildOptions``, the ``SiteSource`` snapshot) and what it reports, and
the names and sizes of the files every build makes: what the build's modules share."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from balita_cli.records import SiteArticle
from balita_cli.site.output import BuildCounts
from balita_cli.site.search import SearchReport

if TYPE_CHECKING:
    from balita_cli.media.store import MediaStore

DEFAULT_PAGE_SIZE = 20
FEED_SIZE = 50
TERM_FEED_SIZE = 20  # items in each section's, tag's and author's own feed
TERM_FEED = "feed.xml"
# (format name in balita_cli.formats, file in the output directory)
FEED_FILES = (("rss", "feed.xml"), ("atom", "atom.xml"), ("jsonfeed", "feed.json"))
FEED_LABELS = {"rss": "RSS", "atom": "Atom", "jsonfeed": "JSON Feed"}
SITEMAP_FILES = (("sitemap", "sitemap.xml"), ("news-sitemap", "news-sitemap.xml"))
NEWS_WINDOW = timedelta(hours=48)  # formats/news_sitemap.py: what the news sitemap holds
SEARCH_DIR = "search/"
NOT_FOUND = "404.html"
LOGO_FORMATS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
STATE_VERSION = 1  # of the manifest's "site" state; another one means a full build


@dataclass(frozen=True)
class BuildOptions:
    output: Path
    template_dir: Path | None = None
    clean: bool = False
    force: bool = False  # overwrite files in the output that the build never wrote
    page_size: int = DEFAULT_PAGE_SIZE
    media: MediaStore | None = None  # the media library (originals); None: photos are left out
    logo: Path | None = None  # the publisher's logo; None: the one balita ships
    search: bool = True  # make the Pagefind index
    preview: bool = False  # drafts shown with a ribbon, and a script that reloads on change
    photo_seed: Path | None = None  # another build's output to link existing renditions from
    hubs: tuple[str, ...] = ()  # WebSub hubs the feeds name ([websub] hub)


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
    changed_feeds: list[str] = field(default_factory=list)  # every feed whose bytes this build changed

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
            "changed_feeds": self.changed_feeds,
        }


class SiteSource(Protocol):
    """What the build is given (``services/site.SiteSnapshot``): it never opens the database."""

    identity: str  # which database (a hash)
    digest: str  # of everything that says what changed: the same digest, the same site
    planted: dict[str, None]  # values left out of the site, one line each naming the story

    @property
    def articles(self) -> list[SiteArticle]:
        """Every article with a page, newest first, light: no body or summary; ``stamp`` set."""
        ...

    def sections(self) -> list[tuple[str, str]]:
        """The navigation: (name, slug) of the sections with listed articles, in order."""
        ...

    def records(self, ids: Sequence[int]) -> list[SiteArticle]:
        """The full public views of these articles (in that order)."""
        ...

    def pages(self) -> list[dict[str, Any]]:
        """The site's pages that are not news (``services/pages.py`` records), in the footer's order."""
        ...


def hash_of(value: Any) -> str:
    """A short hash of a JSON-able value: the keys of pages, the digest of a build's inputs."""
    return hashlib.blake2b(orjson.dumps(value, default=str), digest_size=16).hexdigest()
