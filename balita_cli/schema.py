"""The article, described once: every field's name, kind, limit, who may set it and who may see it.

Everything that handles an article's fields derives from ``FIELDS``: column sizes, the record
every output is made from, the input of ``new``, ``edit`` and every importer, the revision
snapshot, the command-line options, the exports' custom fields and the docs' field table. Adding
a field is a line here, its column in ``models`` and a migration. Nothing heavy is imported:
``balita --help`` reads this module."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from balita_cli.errors import InvalidInput

# ---------------------------------------------------------------- kinds of value and their checks


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


PUBLISH_POLICIES = ("review", "draft", "auto")  # what a source does with what comes in


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


# ---------------------------------------------------------------- the fields


class Role(StrEnum):
    """Who sets a field."""

    EDITOR = "editor"  # new/edit flags, the $EDITOR document, revert
    WORKFLOW = "workflow"  # publish, unpublish, retract, delete (and new --status/--at, imports)
    PROVENANCE = "provenance"  # where and when it came from: set by imports, kept after
    SYSTEM = "system"  # computed by balita; never input


class Storage(StrEnum):
    COLUMN = "column"  # a column of the article table
    RELATION = "relation"  # rows of another table (section, tags, authors, old slugs, notices)
    DERIVED = "derived"  # computed when the record is made


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    help: str
    role: Role = Role.EDITOR
    storage: Storage = Storage.COLUMN
    limit: int | None = None  # characters (the column's size where it has one)
    public: bool = True  # may appear in outputs for readers and partners
    flag: str | None = None  # the option of `new` and `edit`, when an editor sets it by flag
    extra: bool = False  # carried as a custom field where a format has no place of its own
    option_help: str = ""  # the option's help, where it says more than ``help``


MAX_EMAIL_LENGTH = 320  # an author's contact address
MAX_URL_LENGTH = 2000

FIELDS: tuple[Field, ...] = (
    Field("id", Kind.INT, "Article id.", Role.SYSTEM),
    Field(
        "slug",
        Kind.SLUG,
        "URL slug; old ones keep resolving (see aliases).",
        limit=200,
        flag="--slug",
        option_help="URL slug (default: from the title); the old one keeps resolving.",
    ),
    Field("url", Kind.URL, "Public URL on the site.", Role.SYSTEM, Storage.DERIVED),
    Field("title", Kind.TEXT, "Headline.", limit=1000, flag="--title", option_help="Headline."),
    Field("subtitle", Kind.TEXT, "Subheading / dek.", limit=1000, flag="--subtitle", extra=True),
    Field(
        "summary",
        Kind.PROSE,
        "Summary; derived from the body when none was written.",
        limit=5000,
        flag="--summary",
        option_help="Summary; derived from the body when empty.",
    ),
    Field("body", Kind.PROSE, "Body, in Markdown.", limit=1_000_000),
    Field(
        "status", Kind.STATUS, "draft, review, scheduled, published, archived or retracted.", Role.WORKFLOW, limit=20
    ),
    Field(
        "language",
        Kind.LANGUAGE,
        "BCP 47 language tag (en, fil…).",
        limit=35,
        flag="--lang",
        extra=True,
        option_help="Language tag: en, fil… (default: the site's).",
    ),
    Field(
        "section",
        Kind.NAME,
        "Section name, or null.",
        storage=Storage.RELATION,
        limit=MAX_NAME_LENGTH,
        flag="--section",
        option_help="Section, e.g. Politics.",
    ),
    Field(
        "tags",
        Kind.NAMES,
        "Tag names, sorted.",
        storage=Storage.RELATION,
        limit=MAX_NAME_LENGTH,
        flag="--tag",
        option_help="Tag.",
    ),
    Field(
        "authors",
        Kind.NAMES,
        "Byline, in order.",
        storage=Storage.RELATION,
        limit=MAX_NAME_LENGTH,
        flag="--author",
        option_help="Byline author, in order.",
    ),
    Field(
        "source_name",
        Kind.TEXT,
        'Outlet credited: "Read more on <source>".',
        limit=200,
        flag="--source-name",
        extra=True,
    ),
    Field("source_url", Kind.URL, "Link to the original story.", limit=MAX_URL_LENGTH, flag="--source-url", extra=True),
    Field(
        "canonical_url",
        Kind.URL,
        "Canonical URL, when it is not ours.",
        limit=MAX_URL_LENGTH,
        flag="--canonical-url",
        extra=True,
    ),
    Field(
        "photo",
        Kind.PHOTO,
        "Lead photo from the media library: {id, sha256, format, media_type, width, height, size, alt, caption, "
        "credit}, or null. Given as a photo id or sha256.",
        storage=Storage.RELATION,
    ),
    Field("image_url", Kind.URL, "Featured image URL.", limit=MAX_URL_LENGTH, flag="--image-url", extra=True),
    Field("image_alt", Kind.TEXT, "Featured image alt text.", limit=1000, flag="--image-alt", extra=True),
    Field("image_caption", Kind.TEXT, "Featured image caption.", limit=1000, flag="--image-caption", extra=True),
    Field("image_credit", Kind.TEXT, "Featured image credit.", limit=200, flag="--image-credit", extra=True),
    Field("dateline", Kind.TEXT, "Dateline place, e.g. MANILA.", limit=200, flag="--dateline", extra=True),
    Field(
        "editor_note",
        Kind.PROSE,
        "Editor's note; never published.",
        limit=5000,
        public=False,
        flag="--note",
        option_help="Editor's note (never published).",
    ),
    Field(
        "featured",
        Kind.BOOL,
        "Featured on the home page.",
        flag="--featured",
        extra=True,
        option_help="Feature on the home page.",
    ),
    Field("created_at", Kind.TIME, "When it was created.", Role.PROVENANCE),
    Field("updated_at", Kind.TIME, "When it last changed.", Role.PROVENANCE),
    Field("published_at", Kind.TIME, "When it was (first) published.", Role.WORKFLOW),
    Field("scheduled_at", Kind.TIME, "When it is scheduled to publish.", Role.WORKFLOW),
    Field(
        "expires_at",
        Kind.TIME,
        "When `publish --due` archives it.",
        flag="--expires",
        extra=True,
        option_help="`publish --due` archives it after this time.",
    ),
    Field("deleted_at", Kind.TIME, "When it was moved to the trash, or null.", Role.WORKFLOW),
    Field("version", Kind.INT, "Version number, raised by every change.", Role.SYSTEM),
    Field("updated_by", Kind.TEXT, "Who made the last change.", Role.SYSTEM, limit=200, public=False),
    Field(
        "external_id",
        Kind.TEXT,
        "Where an import came from (wxr:<guid>, feed:<id>…), or null.",
        Role.PROVENANCE,
        limit=500,
        extra=True,
    ),
    Field(
        "retraction_reason",
        Kind.PROSE,
        "The public notice of a retracted story.",
        Role.WORKFLOW,
        limit=5000,
        extra=True,
    ),
    Field("aliases", Kind.SLUGS, "Old slugs that still resolve.", Role.PROVENANCE, Storage.RELATION, limit=200),
    Field(
        "corrections",
        Kind.NOTICES,
        "Public notices: {kind, created_at, text}, oldest first.",
        Role.PROVENANCE,
        Storage.RELATION,
        limit=5000,
        extra=True,
    ),
    Field(
        "source_feed_url",
        Kind.URL,
        "The feed of the registered source the story came in from (RSS <source>), or null.",
        Role.SYSTEM,
        Storage.RELATION,
    ),
    Field(
        "coverage",
        Kind.COVERAGE,
        "Also reported by: {source_name, url, title, published_at, external_id} of other outlets' versions.",
        Role.PROVENANCE,
        Storage.RELATION,
    ),
    Field("word_count", Kind.INT, "Words in the body (counted when it is saved).", Role.SYSTEM),
)

BY_NAME: dict[str, Field] = {spec.name: spec for spec in FIELDS}
RECORD_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
PRIVATE_FIELDS = frozenset(spec.name for spec in FIELDS if not spec.public)
# The article table's columns, as a record carries them (times and status are converted).
COLUMNS = tuple(spec.name for spec in FIELDS if spec.storage is Storage.COLUMN)
# What an editor changes (new/edit flags, the $EDITOR document, what revert brings back).
EDITOR_FIELDS = tuple(spec.name for spec in FIELDS if spec.role is Role.EDITOR)
# What a writer may give when creating an article (an import gives all of it).
INPUT_FIELDS = frozenset(spec.name for spec in FIELDS if spec.role is not Role.SYSTEM)
# What a revision keeps of each version (trash and provenance are not content).
SNAPSHOT_FIELDS = (*EDITOR_FIELDS, "status", "published_at", "scheduled_at", "retraction_reason", "corrections")
# Custom fields a format without a place of its own for them carries (Hugo params, WXR meta).
EXTRA_FIELDS = tuple(spec.name for spec in FIELDS if spec.extra)
# What `list` shows when no --fields is given.
DEFAULT_LIST_FIELDS = ("id", "status", "published_at", "section", "title")


def spec(name: str) -> Field:
    try:
        return BY_NAME[name]
    except KeyError:
        raise InvalidInput(f"unknown field {name!r}") from None


def limit_of(name: str) -> int | None:
    return BY_NAME[name].limit


# ---------------------------------------------------------------- checking an article's values

CHECKS: dict[str, Check] = {spec.name: checker(spec.name, spec.kind, spec.limit) for spec in FIELDS}


def check_text(name: str, value: str, *, limit: int | None = None, prose: bool = False) -> str:
    """Text storable as it is: within its size (the field's, unless given), no control
    characters, valid Unicode."""
    bound = limit if limit is not None else (BY_NAME[name].limit if name in BY_NAME else None)
    return text_within(name, value, bound, prose=prose)


def check_url(name: str, value: str) -> str:
    """An address readers may follow: http or https, nothing else (no javascript:, data:, file:)."""
    return url_within(name, value, BY_NAME[name].limit if name in BY_NAME else None)


def check_value(name: str, value: Any) -> Any:
    """One input value checked by its field's kind; the cleaned value, or InvalidInput."""
    try:
        check = CHECKS[name]
    except KeyError:
        raise InvalidInput(f"unknown field {name!r}") from None
    return check(value)


# ---------------------------------------------------------------- the input shape


class ArticleInput:
    """An article as a writer gives it: field name -> value, only the fields given.

    ``new``, ``edit``, the ``$EDITOR`` document and every importer fill one of these; the
    article service checks and stores it. ``origin`` says where it came from, for messages
    ("export.xml: item 12"); ``notes`` collect what an editor should hear about how it was read
    or stored (a placeholder title, an alias another article holds).
    """

    __slots__ = ("base_version", "notes", "origin", "values")

    def __init__(
        self, values: dict[str, Any] | None = None, *, origin: str = "", notes: list[str] | None = None, **more: Any
    ) -> None:
        self.values: dict[str, Any] = {}
        self.origin = origin
        self.notes: list[str] = notes if notes is not None else []
        # The version of this article an export was made from (balita's own jsonl and csv say).
        self.base_version: int | None = None
        for name, value in {**(values or {}), **more}.items():
            self[name] = value

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in INPUT_FIELDS:
            raise KeyError(f"{name!r} is not an input field of an article")
        self.values[name] = value

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def __repr__(self) -> str:
        return f"ArticleInput({self.values!r}, origin={self.origin!r})"
