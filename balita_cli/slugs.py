"""The one wrapper around python-slugify."""

from __future__ import annotations

from slugify import slugify as _slugify

MAX_SLUG_LENGTH = 80


def make_slug(text: str) -> str:
    """Return an ASCII slug; Unicode is transliterated ("Parañaque" -> "paranaque")."""
    return str(_slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True))


def with_suffix(base: str, number: int) -> str:
    """The ``n``-th candidate for a taken slug: ``base``, ``base-2``, ``base-3``..."""
    return base if number <= 1 else f"{base}-{number}"
