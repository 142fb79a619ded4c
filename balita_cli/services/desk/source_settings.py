"""What a source may be set to: ``source add`` and ``source edit``'s values, each checked.

The poll interval (``15m``, ``2h``, ``1d``: every 5 minutes at most, every 7 days at least),
the excerpt's length, the publish policy (review, draft or auto), the feed's address (http(s),
no credentials, no private or loopback address without ``--allow-private``), the name and its
slug, the section, language and tags, the label cut from the end of its titles, the
credit, and whether its stories' images are kept in the media library.
``SourceSettings.checked`` turns what was given into column values for ``services/desk/sources.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.schema import MAX_NAME_LENGTH, PUBLISH_POLICIES, check_language, check_name, check_names
from balita_cli.services.remote import remote_url
from balita_cli.slugs import make_slug

SourceRecord = dict[str, Any]  # a source's columns by name, as ``services/desk/sources.py`` reads them
DEFAULT_EVERY_MINUTES = 15
MIN_EVERY_MINUTES = 5  # politeness: no outlet is polled more often, whatever a source says
MAX_EVERY_MINUTES = 7 * 24 * 60
MIN_EXCERPT_WORDS, MAX_EXCERPT_WORDS = 10, 1000
_EVERY = r"^\s*(\d{1,7})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)?\s*$"  # compiled when used
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def parse_every(text: str) -> int:
    """Minutes between polls from ``15m``, ``2h``, ``1d`` or a bare number of minutes."""
    found = re.match(_EVERY, str(text), re.I)
    if found is None:
        raise InvalidInput(f"cannot read interval {str(text)[:40]!r}: use minutes, hours or days, e.g. 15m, 2h, 1d")
    minutes = int(found.group(1)) * _UNIT_MINUTES[(found.group(2) or "m")[0].lower()]
    if not MIN_EVERY_MINUTES <= minutes <= MAX_EVERY_MINUTES:
        raise InvalidInput(
            f"a feed is polled every {MIN_EVERY_MINUTES} minutes at most and every 7 days at least, "
            f"not {str(text).strip()[:40]!r}"
        )
    return minutes


def format_every(minutes: int) -> str:
    for unit, size in (("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def check_excerpt_words(words: int) -> int:
    if not MIN_EXCERPT_WORDS <= words <= MAX_EXCERPT_WORDS:
        raise InvalidInput(
            f"an excerpt keeps {MIN_EXCERPT_WORDS} to {MAX_EXCERPT_WORDS} words, not {words:,} "
            "(--full-text keeps the whole story, for outlets that allow it)"
        )
    return words


def check_publish(policy: str) -> str:
    value = policy.strip().lower()
    if value not in PUBLISH_POLICIES:
        raise InvalidInput(f"--publish is one of {', '.join(PUBLISH_POLICIES)}, not {policy[:40]!r}")
    return value


def check_feed_url(url: str, *, allow_private: bool) -> str:
    """An http(s) feed address without credentials; a private or loopback address only with
    ``allow_private`` (names are checked when fetched: they may resolve anywhere)."""
    return remote_url(url, allow_private=allow_private, what="a feed URL", doing="fetches from")


def check_label(option: str, value: str) -> str:
    """A title suffix or a credit: one line of at most MAX_NAME_LENGTH characters, with a letter
    or a digit; "" clears it."""
    if _CONTROL.search(value):
        raise InvalidInput(f"{option} cannot hold a control character (a line break, a tab, an escape)")
    cleaned = " ".join(value.split())
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{option} is at most {MAX_NAME_LENGTH} characters, not {len(cleaned):,}")
    if cleaned and not any(char.isalnum() for char in cleaned):
        raise InvalidInput(f"{option} needs a letter or a digit, not {cleaned[:40]!r}")
    return cleaned


def _slug(name: str) -> str:
    slug = make_slug(name)
    if not slug:
        raise InvalidInput(f"source name {name!r} has no letters or digits")
    return slug[:MAX_NAME_LENGTH]


@dataclass(frozen=True)
class SourceSettings:
    """What ``source add`` and ``source edit`` set; None leaves a value as it is (edit)."""

    name: str | None = None
    url: str | None = None
    section: str | None = None
    language: str | None = None
    tags: Sequence[str] | None = None
    excerpt_words: int | None = None
    full_text: bool | None = None
    publish: str | None = None
    every: str | None = None
    title_suffix: str | None = None
    credit: str | None = None
    allow_private: bool | None = None
    keep_photos: bool | None = None

    def checked(self, current: SourceRecord | None = None) -> dict[str, Any]:
        """Column values for the settings given, each checked."""
        values: dict[str, Any] = {}
        if self.name is not None:
            values["name"] = check_name("source", self.name)
            if re.fullmatch(r"#\d+", values["name"]):
                raise InvalidInput(f"{values['name']!r} reads as a source id: give the outlet's name")
            values["slug"] = _slug(values["name"])
        allow_private = (
            self.allow_private if self.allow_private is not None else bool(current and current["allow_private"])
        )
        url = self.url
        if url is None and current is not None and self.allow_private is False:
            url = str(current["url"])  # still allowed without --allow-private?
        if url is not None:
            values["url"] = check_feed_url(url, allow_private=allow_private)
        if self.allow_private is not None:
            values["allow_private"] = self.allow_private
        if self.section is not None:
            values["section"] = check_name("section", self.section) if self.section.strip() else ""
        if self.language is not None:
            values["language"] = check_language(self.language) if self.language.strip() else ""
        if self.tags is not None:
            values["tags"] = json.dumps(check_names("tags", list(self.tags)), ensure_ascii=False)
        if self.excerpt_words is not None:
            values["excerpt_words"] = check_excerpt_words(self.excerpt_words)
        if self.full_text is not None:
            values["full_text"] = self.full_text
        if self.publish is not None:
            values["publish"] = check_publish(self.publish)
        if self.every is not None:
            values["every_minutes"] = parse_every(self.every)
        if self.title_suffix is not None:
            values["title_suffix"] = check_label("--title-suffix", self.title_suffix)
        if self.credit is not None:
            values["credit"] = check_label("--credit", self.credit)
        if self.keep_photos is not None:
            values["keep_photos"] = self.keep_photos
        return values
