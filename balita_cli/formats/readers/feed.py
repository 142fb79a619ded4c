"""The ``feed`` reader: feed entries made stories, for ``balita import feed`` and ``balita fetch``.

Each entry of a parsed feed (``feed_parsing.parse_feed``) becomes an ``ArticleInput`` credited
to its outlet (the source's name, else the feed's site, else a platform channel's own name),
linked to the outlet's story, known by its guid so reading the feed again adds only what is new,
and kept as an excerpt (``text/excerpt.py``) unless the source allows the full text."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import sanitize
from balita_cli.formats.readers.base import Reader, ReadItem, ReadOptions, Rejected
from balita_cli.formats.readers.feed_parsing import Entry, parse_feed, plain_text
from balita_cli.net import FetchPolicy, fetch
from balita_cli.schema import ArticleInput
from balita_cli.text.boilerplate import cut_suffix, news_text
from balita_cli.text.excerpt import DEFAULT_MAX_WORDS, excerpt
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.net import FetchPolicy

MAX_FEED_BYTES = 50 * 1024 * 1024  # a file read from disk; URLs obey their FetchPolicy's limit
TITLE_WORDS = 12  # of an untitled entry's text, to stand in for its title
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


# ---------------------------------------------------------------- what a source's stories get


@dataclass(frozen=True)
class Intake:
    """How a feed's entries become stories: who is credited, how much text is kept, where they go.

    ``balita fetch`` makes one from a source (``services.intake.intake_of``); ``import feed``
    from a registered source named by ``--source-name``, else the defaults below.
    """

    source_name: str = ""  # credited; "" means the feed's own outlet
    title_suffix: str = ""  # a programme label cut from the end of each title ("| TV Patrol")
    excerpt_words: int | None = DEFAULT_MAX_WORDS  # None: the full text (a source's --full-text)
    section: str = ""
    language: str = ""
    tags: tuple[str, ...] = ()
    status: Status = Status.DRAFT
    fetch: FetchPolicy | None = None  # how URLs are fetched (None: the default policy)


# ---------------------------------------------------------------- a file or a URL


def is_url(path: str) -> bool:
    """Anything with a scheme is fetched (and refused there unless it is http or https)."""
    return bool(_SCHEME.match(path))


def load(path: str, policy: FetchPolicy | None = None) -> tuple[bytes, str]:
    """The bytes of a feed file or URL, and the media type the server gave ("" for a file)."""
    if is_url(path):
        fetched = fetch(path, policy or FetchPolicy())
        return fetched.body, fetched.content_type
    source = Path(path)
    try:
        if source.stat().st_size > MAX_FEED_BYTES:
            raise InvalidInput(f"{path}: larger than the {MAX_FEED_BYTES // (1024 * 1024)} MB a feed may be")
        return source.read_bytes(), ""
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- entries -> stories

_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|dl|dt|dd|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th|figure|figcaption"
    r"|section|article|header|footer|aside|hr)\b[^<>]*>",
    re.I,
)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_BLOCK_MARKER = re.compile(r"(?:#{1,6}|[-+*]|\d{1,9}[.)])(?:\s|$)|>")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def text_paragraphs(fragment: str, *, enough: int | None = None, news_only: bool = False) -> list[str]:
    """The outlet's text as plain paragraphs, each safe to store as Markdown.

    HTML block boundaries and blank lines separate paragraphs; tags are gone and entities read.
    A paragraph that would start a heading, list or quote is escaped, and ``<`` and entities
    stay text. ``news_only`` leaves out a channel's promotion (``text.boilerplate``). Stops once
    the paragraphs hold more than ``enough`` words (the excerpt needs no more).
    """
    pieces = _BLOCK.sub("\n\n", sanitize(fragment))
    found: list[str] = []
    words = 0
    for piece in _BLANK_LINE.split(pieces):
        text = plain_text(piece)
        if news_only:
            text = news_text(text)
        if not text:
            continue
        text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
        found.append("\\" + text if _BLOCK_MARKER.match(text) else text)
        words += len(text.split())
        if enough is not None and words > enough:
            break
    return found


def people(authors: Sequence[str], outlets: Sequence[str]) -> list[str]:
    """An entry's byline less the outlet itself: a channel's feed names its channel as the author
    of every entry ("ABS-CBN News"), and a story is credited to its outlet as an organisation."""
    names = {" ".join(name.split()).casefold() for name in outlets if name}
    return [author for author in authors if " ".join(author.split()).casefold() not in names]


def story(entry: Entry, intake: Intake, outlet: str, origin: str) -> ArticleInput:
    """The story an entry becomes: credited, excerpted (or full text), with its picture.

    ``outlet`` is the name credited when the intake names none.
    """
    if intake.excerpt_words is None:
        body = sanitize(entry.html).strip()
        summary = entry.summary
    else:
        text = "\n\n".join(text_paragraphs(entry.html, enough=intake.excerpt_words, news_only=True))
        body = excerpt(text, intake.excerpt_words).text if text else ""
        summary = ""  # derived from the excerpt: the outlet's own summary would be more of its text
    notes, title = list(entry.notes), cut_suffix(entry.title, intake.title_suffix)
    if not title:  # RSS items and JSON Feed microblog posts may have none: kept, titled by their words
        words = plain_text(_BLOCK.sub(" ", entry.html[:20_000])).split()
        title = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
        if title:
            notes.append("the entry has no title: its first words stand in for one")
    record = ArticleInput(
        origin=origin,
        notes=notes,
        title=title,
        external_id=entry.external_id,
        body=body,
        summary=summary,
        tags=list(dict.fromkeys((*intake.tags, *entry.tags))),
        authors=people(entry.authors, (intake.source_name, outlet)),
        status=intake.status,
        source_name=intake.source_name or outlet,
        source_url=entry.link,
        canonical_url=entry.link,
        image_url=entry.image,
        published_at=entry.published,
    )
    if intake.section:
        record["section"] = intake.section
    if intake.language:
        record["language"] = intake.language
    return record


# ---------------------------------------------------------------- the reader of `import feed`


class FeedReader(Reader):
    name = "feed"
    description = "RSS 2.0, Atom or JSON Feed (file or http(s) URL)"

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        given = options.intake
        intake = given if isinstance(given, Intake) else Intake(source_name=options.source_name or "")
        label = path if is_url(path) else Path(path).name
        data, media_type = load(path, intake.fetch)
        try:
            feed = parse_feed(data, media_type=media_type, address=path if is_url(path) else "")
        except InvalidInput as exc:
            raise InvalidInput(f"{label}: {exc.message}") from None
        yield from (Rejected(f"{label}: {item.origin}", item.reason) for item in feed.skipped)
        for position, entry in enumerate(feed.entries, start=1):
            yield story(entry, intake, feed.outlet, f"{label}: entry {position}")


READER = FeedReader()
