"""What every import format is: a small object with a name and one ``read`` method.

A reader turns a file (or a tree, or a URL) into a stream of plain items: an ``ArticleInput``
for each article (the same input shape ``new`` fills), ``Skipped`` for things that are not
articles (pages, menu items, attachments), ``Rejected`` for input it cannot read. Readers never
touch the database; the importing service writes what they yield.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from balita_cli.errors import InvalidInput
from balita_cli.records import derive_summary
from balita_cli.schema import BY_NAME, ArticleInput, Kind, strip_controls
from balita_cli.slugs import RESERVED_TOP, make_slug
from balita_cli.workflow import Status


@dataclass(frozen=True)
class Skipped:
    """Something in the source that is deliberately not imported (a page, a menu item…)."""

    kind: str
    origin: str


@dataclass(frozen=True)
class Rejected:
    """Input the reader could not turn into a record; reported and skipped."""

    origin: str
    reason: str


ReadItem = ArticleInput | Skipped | Rejected


@dataclass(frozen=True)
class ReadOptions:
    """What a reader needs to know about the site it imports into."""

    zone: tzinfo = UTC
    source_name: str | None = None  # feed: overrides the name taken from the feed's host
    intake: object | None = None  # feed: a source's policy (formats.readers.feed.Intake)


class Reader:
    """Base of every import format: subclasses set ``name``/``description`` and read items."""

    name: str = ""
    description: str = ""

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        raise NotImplementedError

    def estimate(self, path: str) -> int | None:
        """A cheap guess at the number of items, for a progress bar; None when unknown."""
        return None

    @staticmethod
    def existing_file(path: str) -> Path:
        source = Path(path)
        if not source.is_file():
            raise InvalidInput(f"{path}: no such file")
        return source

    @staticmethod
    def read_text(source: Path) -> str:
        """A whole file as text: UTF-8, a byte-order mark dropped, errors as one line."""
        try:
            return source.read_bytes().decode("utf-8").removeprefix("\ufeff")
        except OSError as exc:
            raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{source.name}: not valid UTF-8 (byte {exc.start})") from None


# ---------------------------------------------------------------- helpers shared by readers

_OFFSET_WITHOUT_COLON = re.compile(r"\s*([+-]\d{2})(\d{2})$")
EPOCH_MS_DIGITS = range(12, 15)  # 1e11..1e14 ms: 1973..5138, what Ghost 0.x/1.x exports hold


def parse_time(value: object, zone: tzinfo) -> datetime | None:
    """A source's date: a datetime/date from YAML/TOML, ISO 8601, RFC 822, "2013-05-06 02:12:52 +0200",
    or epoch milliseconds (Ghost 0.x and 1.x exports).

    Naive values are read in ``zone``; the result is aware UTC. Raises InvalidInput when unreadable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool) or str(value).strip().isdigit():
        parsed = _from_epoch(value)
    else:
        parsed = _parse_text_time(str(value).strip())
    if not 1900 <= parsed.year <= 9998:
        raise InvalidInput(f"date {value!r} is out of range")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _from_epoch(value: object) -> datetime:
    text = str(value).strip().split(".")[0].lstrip("-")
    try:
        number = float(str(value))
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"cannot read date {value!r}") from None
    seconds = number / 1000 if len(text) in EPOCH_MS_DIGITS else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidInput(f"date {value!r} is out of range") from None


def _parse_text_time(text: str) -> datetime:
    iso_text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(iso_text)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise InvalidInput(f"cannot read date {text[:60]!r}") from None


def text_list(value: object) -> list[str]:
    """A front-matter or JSON value that should be a list of names: a string, a list, or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [plain_name(value)] if plain_name(value) else []
    if isinstance(value, list | tuple):
        return [
            name
            for item in value
            if item is not None and not isinstance(item, dict | list)
            if (name := plain_name(str(item)))
        ]
    return [plain_name(str(value))]


def plain_name(text: str) -> str:
    """A tag, author or section name as a source gives it: one line, no control characters."""
    return " ".join(strip_controls(text).split())


# ---------------------------------------------------------------- values by the schema's kind


def input_value(name: str, value: Any) -> Any:
    """A value of field ``name`` as an export gave it (JSON, YAML, or text) -> what ``ArticleInput``
    takes: names as lists, times aware UTC, notices and coverage as lists of dicts, a status.

    Text that should be a list or an object (a WXR meta value, a CSV cell) is read as JSON.
    Raises InvalidInput for a value of the wrong shape.
    """
    if value is None:
        return None
    if name in TEXT_FIELDS and type(value) is str:
        return value  # text of a text field, nearly every value: as it is

    kind = BY_NAME[name].kind
    if kind in {Kind.NAMES, Kind.SLUGS, Kind.NOTICES, Kind.COVERAGE} and isinstance(value, str):
        value = _json_text(name, value) if value.strip().startswith("[") else value
    if kind in {Kind.NAMES, Kind.SLUGS}:
        return text_list(value)
    if kind is Kind.NAME:
        return str(value).strip() or None
    if kind is Kind.TIME:
        return parse_time(value, UTC)
    if kind is Kind.BOOL:
        return value in (True, "true", "True", "1", 1, "yes")
    if kind is Kind.STATUS:
        try:
            return Status(str(value))
        except ValueError:
            raise InvalidInput(f"unknown status {str(value)[:40]!r}") from None
    if kind is Kind.NOTICES:
        return [_notice(item) for item in _list(value, name)]
    if kind is Kind.COVERAGE:
        return [_coverage(item) for item in _list(value, name)]
    if kind is Kind.PHOTO:
        if isinstance(value, str) and value.strip().startswith("{"):
            value = _json_text(name, value)
        return value if isinstance(value, dict | int) and not isinstance(value, bool) else str(value)
    if isinstance(value, dict | list):
        raise InvalidInput(f"{name} must be text, not {type(value).__name__}")
    return str(value)


# Fields whose value is text as it is (``input_value`` returns a string of theirs unchanged).
TEXT_FIELDS = frozenset(
    spec.name for spec in BY_NAME.values() if spec.kind in {Kind.TEXT, Kind.PROSE, Kind.URL, Kind.SLUG, Kind.LANGUAGE}
)


def _json_text(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidInput(f"{name} is not valid JSON: {text[:40]!r}") from None


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(f"{name} must be a list, not {type(value).__name__}")
    return value


def _coverage(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidInput("a related coverage entry must be an object")
    return {**item, "published_at": parse_time(item.get("published_at"), UTC)}


def _notice(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not item.get("text"):
        raise InvalidInput("a correction needs a text")
    return {
        "text": str(item["text"]),
        "created_at": parse_time(item.get("created_at"), UTC),
        "kind": str(item.get("kind") or "correction"),
    }


def keep_summary_derived(record: ArticleInput) -> None:
    """An exported summary that is only the body's first paragraph (what balita derives when none
    was written) comes back as no summary, so it stays derived when the body changes."""
    summary = record.get("summary")
    if summary and summary == derive_summary(str(record.get("body") or "")):
        record["summary"] = ""


# ---------------------------------------------------------------- old addresses

# An alias is an old address of a story that must keep resolving: an old slug ("old-title", served
# at /articles/old-title/), or any other path of the site it came from ("/2019/05/old-title/",
# "/old-title.html"), kept with its leading slash. Paths are checked here, because the site writes
# a redirect page at each: no ".." or hidden segments, no characters a file name cannot safely hold.
MAX_ALIAS_LENGTH = 200  # the column's size
_ARTICLE_PATH = re.compile(r"^/articles/([^/]+)/?$")
_PATH_SEGMENT = re.compile(r"^[\w~!$&()+,=@.-]+$")
FILE_SUFFIXES = (".html", ".htm")
RESERVED_FILES = frozenset({"index.html", "404.html"})


def alias_of(value: object) -> str:
    """An old address as the article keeps it: a slug, or a path from the site root.

    ``old-title`` and ``/articles/old-title/`` (balita's own permalink) give the slug
    ``old-title``; ``/2019/05/old-title`` gives ``/2019/05/old-title/`` (a folder, as static sites
    serve it) and ``2014/12/12/old.html`` gives ``/2014/12/12/old.html``. A full URL keeps its path.
    Raises InvalidInput, with the reason, for what cannot be kept.
    """
    text = strip_controls(str(value)).strip()
    shown = text[:60]
    if text.lower().startswith(("http://", "https://")):
        text = urlsplit(text).path
    elif ":" in text.split("/", 1)[0] or text.startswith("//"):
        raise InvalidInput(f"alias {shown!r} is not a path of this site")
    text = unquote(text.split("#", 1)[0].split("?", 1)[0])
    if "/" not in text:  # a bare word: an old slug, as balita's own exports and WordPress keep them
        slug = make_slug(text)
        if not slug:
            raise InvalidInput(f"alias {shown!r} has no letters or digits")
        return slug
    segments = [segment for segment in text.split("/") if segment]
    if not segments:
        raise InvalidInput(f"alias {shown!r} is the site's home page")
    if any(segment.startswith(".") or not _PATH_SEGMENT.match(segment) for segment in segments):
        raise InvalidInput(f"alias {shown!r} has a part that cannot be a file name")
    path = "/" + "/".join(segments)
    article = _ARTICLE_PATH.match(path)
    if article and make_slug(article.group(1)) == article.group(1):
        return article.group(1)
    last = segments[-1]
    if segments[0] in RESERVED_TOP or (
        len(segments) == 1 and (last in RESERVED_FILES or "." in last and not last.endswith(FILE_SUFFIXES))
    ):
        raise InvalidInput(f"alias {shown!r} is where the site keeps its own pages")
    if not last.lower().endswith(FILE_SUFFIXES):
        path += "/"
    if len(path) > MAX_ALIAS_LENGTH:
        raise InvalidInput(f"alias {shown!r} is longer than {MAX_ALIAS_LENGTH} characters")
    return path
