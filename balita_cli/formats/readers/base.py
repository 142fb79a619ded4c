"""What every import format is: a small object with a name and one ``read`` method.

A reader turns a file (or a tree, or a URL) into a stream of plain items: an ``ArticleInput``
for each article (the same input shape ``new`` fills), ``Skipped`` for things that are not
articles (pages, menu items, attachments), ``Rejected`` for input it cannot read. Readers never
touch the database; the importing service writes what they yield.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path

from balita_cli.errors import InvalidInput
from balita_cli.schema import ArticleInput, strip_controls


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
        return [name for item in value if item is not None and not isinstance(item, dict | list)
                if (name := plain_name(str(item)))]  # fmt: skip
    return [plain_name(str(value))]


def plain_name(text: str) -> str:
    """A tag, author or section name as a source gives it: one line, no control characters."""
    return " ".join(strip_controls(text).split())
