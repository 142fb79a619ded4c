"""Text an uploader controls (file names, EXIF strings) made safe to show and to store.

Only invisible and control characters are removed here; escaping for HTML or XML is the
renderer's job (Jinja autoescape, ``formats.html``), because the same text goes to JSON and CSV too.
"""

from __future__ import annotations

import re
import unicodedata

MAX_DISPLAY_NAME = 120
MAX_METADATA_TEXT = 100

# Cc: C0/C1 controls (NUL, ESC, newlines); Cf: format characters (bidi overrides that make
# "gpj.exe" look like "exe.jpg", zero-width spaces); Cs/Co: lone surrogates, private use.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_SEPARATORS = re.compile(r"[/\\]")


def clean_text(value: str | bytes, limit: int = MAX_METADATA_TEXT) -> str:
    """One line of printable text: controls and invisible characters removed, runs of white
    space (tabs, newlines, U+2028) folded to one space, at most ``limit`` characters."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", value.replace("\x00", " "))
    kept = "".join(" " if char.isspace() else char for char in text)
    kept = "".join(char for char in kept if unicodedata.category(char) not in _REMOVED_CATEGORIES)
    return " ".join(kept.split())[:limit].rstrip()


def safe_display_name(name: str, limit: int = MAX_DISPLAY_NAME) -> str:
    """A file name to show in a caption, a message or the database; never to build a path with.

    Directory parts (``/`` or ``\\``) are dropped, so is a name that is only ``.`` or ``..``;
    controls are removed; a long name is cut in its stem so that its extension survives.
    """
    parts = [part for part in _SEPARATORS.split(name.replace("\x00", "")) if part.strip()]
    text = clean_text(parts[-1] if parts else "", limit=len(name) + 1)
    if text.strip(".") == "":
        return ""
    if len(text) <= limit:
        return text
    stem, dot, suffix = text.rpartition(".")
    if dot and stem and 0 < len(suffix) <= 10:
        return stem[: limit - len(suffix) - 2].rstrip() + "…." + suffix
    return text[: limit - 1].rstrip() + "…"
