"""The one wrapper around python-slugify, and the slug rules of articles and terms."""

from __future__ import annotations

import re

from slugify import slugify as _slugify

from balita_cli.errors import InvalidInput
from balita_cli.schema import check_name

MAX_SLUG_LENGTH = 80
TERM_KINDS = ("tag", "section", "author")
# First segments of the site's own pages: an old address kept there would stand in for one of them.
RESERVED_TOP = frozenset({"sections", "tags", "authors", "media", "assets", "static", "page"})


def make_slug(text: str) -> str:
    """Return an ASCII slug; Unicode is transliterated ("Parañaque" -> "paranaque")."""
    if len(text) <= MAX_SLUG_LENGTH and _MADE_SLUG.fullmatch(text):
        return text  # a slug already (an import's, made once more when the article is created)
    return str(_slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True))


_MADE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_slug(text: str) -> bool:
    """A slug as ``make_slug`` makes it (the database's CHECK on slugs says the same)."""
    return _MADE_SLUG.fullmatch(text) is not None


def is_alias(text: str) -> bool:
    """An old address as kept (``formats.readers.base.alias_of``): a slug, or a path from the
    site root with no empty, hidden or parent part, outside the site's own folders."""
    if is_slug(text):
        return True
    parts = text[1:].rstrip("/").split("/") if text.startswith("/") else []
    return (
        bool(parts)
        and all(part and not part.startswith(".") and not any(c.isspace() or c == "\\" for c in part) for part in parts)
        and parts[0] not in RESERVED_TOP
        and "//" not in text
    )


def with_suffix(base: str, number: int) -> str:
    """The ``n``-th candidate for a taken slug: ``base``, ``base-2``, ``base-3``..."""
    return base if number <= 1 else f"{base}-{number}"


def term_slug(kind: str, name: str) -> str:
    """A tag's, section's or author's slug: unique per kind, so "Manila" and "manila" are one.

    Ghost's convention: an internal tag "#x" keeps its hash in the slug so it stays distinct.
    """
    cleaned = check_name(kind, name)
    slug = make_slug(cleaned)
    if not slug:
        raise InvalidInput(f"{kind} name {name!r} has no letters or digits to make a slug")
    if kind == "tag" and cleaned.startswith("#"):
        slug = f"hash-{slug}"
    return slug
