"""Checking an article's values: what each kind of value is, and what may be stored as one.

``schema`` declares the fields; this module knows the kinds (``Kind``) and their checks: text
within its size and free of control characters, http(s) URLs, BCP 47 language tags, names of
tags, sections and authors. ``checker`` makes the check of one field once, from its kind and
size, so checking a value is one call: an import checks some thirty values an article.

Everything here is re-exported by ``schema``, where callers find it. It imports nothing heavy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from balita_cli.errors import InvalidInput


class Kind(StrEnum):
    """What a value is, and so how it is checked, stored and shown."""

    TEXT = "text"  # one line of text
    PROSE = "prose"  # text of several lines or paragraphs (Markdown for the body)
    URL = "url"  # an http(s) URL, or empty
    LANGUAGE = "language"  # a BCP 47 tag
    SLUG = "slug"
    STATUS = "status"
    BOOL = "bool"
    INT = "int"
    TIME = "time"  # aware UTC datetime; ISO 8601 in records
    NAME = "name"  # one section, by name
    NAMES = "names"  # tags or authors, by name, in order
    SLUGS = "slugs"  # old slugs that keep resolving
    NOTICES = "notices"  # dated public notices (corrections, retraction)
    PHOTO = "photo"  # the lead photo from the media library: an object, or null
    COVERAGE = "coverage"  # other outlets' versions of the story: objects


MAX_NAME_LENGTH = 200  # tags, sections and authors
MAX_TAGS = 100  # per article

Check = Callable[[Any], Any]

# Newlines and tabs belong in prose; every other control character (ESC starts terminal escape
# sequences) is refused, in every field, so nothing stored can drive an editor's terminal.
_PROSE_WHITESPACE = frozenset("\n\t\r")


# Categories Cc and Cs as character classes (less the prose whitespace): text holding none of
# them, nearly all text, is not scanned again character by character.
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_PROSE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_characters(text: str, *, prose: bool = False) -> list[str]:
    if (_CONTROL_IN_PROSE if prose else _CONTROL_CHARACTER).search(text) is None:
        return []
    allowed = _PROSE_WHITESPACE if prose else frozenset()
    return [char for char in text if char not in allowed and unicodedata.category(char) in {"Cc", "Cs"}]


def strip_controls(text: str, *, prose: bool = False) -> str:
    """Text with control characters (and lone surrogates) removed: for what imports read."""
    if (_CONTROL_IN_PROSE if prose else _CONTROL_CHARACTER).search(text) is None:
        return text
    allowed = _PROSE_WHITESPACE if prose else frozenset()
    return "".join(char for char in text if char in allowed or unicodedata.category(char) not in {"Cc", "Cs"})


def text_within(name: str, value: str, limit: int | None, *, prose: bool = False) -> str:
    """Text storable as it is: at most ``limit`` characters, no control characters, valid Unicode."""
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{name.replace('_', ' ')} is longer than {limit:,} characters")
    if (_CONTROL_IN_PROSE if prose else _CONTROL_CHARACTER).search(value) is not None:
        bad = control_characters(value, prose=prose)
        raise InvalidInput(f"{name.replace('_', ' ')} contains a control character ({bad[0]!r})")
    return value


def url_within(name: str, value: str, limit: int | None) -> str:
    """An address readers may follow: http or https, nothing else (no javascript:, data:, file:)."""
    url = text_within(name, value.strip(), limit)
    if url and not is_web_url(url):
        raise InvalidInput(f"{name.replace('_', ' ')} must be an http(s) URL, not {url[:60]!r}")
    return url


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc) and _WHITESPACE.search(url) is None


_WHITESPACE = re.compile(r"\s")  # what str.isspace() calls whitespace, code point for code point


def check_language(language: str) -> str:
    tag = language.strip().replace("_", "-")
    parts = tag.split("-")
    if (
        not tag
        or not parts[0].isascii()
        or not parts[0].isalpha()
        or not 2 <= len(parts[0]) <= 8
        or len(tag) > 35
        or not all(part.isascii() and part.isalnum() and 1 <= len(part) <= 8 for part in parts)
    ):
        raise InvalidInput(f"language {language!r} is not a BCP 47 tag like 'en' or 'fil'")
    return tag


def check_name(kind: str, name: str) -> str:
    """A tag, section or author name: one line, at most MAX_NAME_LENGTH characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"{kind} name cannot be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{kind} name is longer than {MAX_NAME_LENGTH} characters")
    if _CONTROL_CHARACTER.search(cleaned) is not None:
        raise InvalidInput(f"{kind} name contains a control character")
    return cleaned


def check_names(name: str, values: Iterable[str]) -> list[str]:
    singular = {"tags": "tag", "authors": "author"}.get(name, name)
    names = [check_name(singular, value) for value in values]
    if name == "tags" and len(names) > MAX_TAGS:
        raise InvalidInput(f"an article has at most {MAX_TAGS} tags, not {len(names):,}")
    return names


# ---------------------------------------------------------------- one field's check, made once

_UNCHECKED = frozenset({Kind.BOOL, Kind.INT, Kind.TIME, Kind.STATUS, Kind.NOTICES})


def checker(name: str, kind: Kind, limit: int | None) -> Check:
    """The check of field ``name``: a value in, the cleaned value out, or InvalidInput. None
    passes as None; so does every value of a kind checked where it is stored (times, status…)."""
    if kind in _UNCHECKED:
        return _as_it_is
    if kind is Kind.URL:
        return lambda value: None if value is None else url_within(name, str(value), limit)
    if kind is Kind.LANGUAGE:
        return lambda value: None if value is None else check_language(str(value))
    if kind is Kind.NAME:
        return lambda value: None if value is None or not str(value).strip() else check_name(name, str(value))
    if kind is Kind.NAMES:
        return lambda value: None if value is None else check_names(name, value)
    if kind is Kind.SLUGS:
        return lambda value: None if value is None else [text_within(name, str(v), limit) for v in value]
    prose = kind is Kind.PROSE
    pattern = _CONTROL_IN_PROSE if prose else _CONTROL_CHARACTER

    def check_text(value: Any) -> Any:
        if value is None:
            return None
        text = value if type(value) is str else str(value)
        if limit is not None and len(text) > limit or pattern.search(text) is not None:
            return text_within(name, text, limit, prose=prose)  # raises, saying why
        return text

    return check_text


def _as_it_is(value: Any) -> Any:
    return value
