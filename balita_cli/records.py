"""An article's values -> its record: the single serialisation point for every output.

A record is a plain dict whose keys are ``schema.RECORD_FIELDS`` in that order; times are
ISO 8601 with offset (UTC). Keys are stable and documented in docs/scripting.md, a table made
from the schema.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from balita_cli.schema import PRIVATE_FIELDS, RECORD_FIELDS
from balita_cli.words import words_for
from balita_cli.workflow import PUBLIC_STATUSES

Record = dict[str, Any]
Terms = dict[str, list[tuple[str, str]]]  # "section"/"tag"/"author" -> [(name, slug)], for links


@dataclass(frozen=True)
class SiteArticle:
    """An article as the site shows it: its public view, and its terms for links."""

    record: Record
    terms: Terms

    @property
    def listed(self) -> bool:
        """Archived stories keep their page (links must not break) but leave lists and feeds."""
        return bool(self.record["status"] != "archived")


SUMMARY_LENGTH = 280
# Markdown a summary leaves out. Each pattern stops at the next opening bracket, so text made of
# thousands of "[" or "<" is scanned once, not once per bracket (no quadratic backtracking).
_MARKDOWN_NOISE = re.compile(r"!\[[^\[\]]*\]\([^()]*\)|\[([^\[\]]*)\]\([^()]*\)|[*_`#>]+|<[^<>]*>")
# A first paragraph longer than this is cut before the markup is stripped: the summary needs
# 280 characters, and no regular expression should see a megabyte at once.
_SUMMARY_SCAN = 4000
_HTML_FIGURE = re.compile(r"<(/?)figure\b[^<>]*>", re.I)
_HTML_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|blockquote|figure|figcaption|pre|table)\s*>|<br\s*/?>", re.I)


def article_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/articles/{slug}/"


def page_url(base_url: str, slug: str) -> str:
    """A page (about, contacts, a policy) sits at the site's root: ``/<slug>/``."""
    return f"{base_url.rstrip('/')}/{slug}/"


def derive_summary(body: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph of the body as plain text (entities decoded), cut at a word boundary.

    An HTML body on one line (as WordPress and Ghost store them) has its paragraphs ended by tags,
    not blank lines: those end a paragraph too. A photo's caption is not the story's summary."""
    head = _HTML_BLOCK_END.sub("\n\n", _without_figures(body.strip()[: _SUMMARY_SCAN * 8]))
    for paragraph in re.split(r"\n[ \t]*\n", head, maxsplit=32)[:32]:
        text = " ".join(html.unescape(_MARKDOWN_NOISE.sub(r"\1", paragraph[:_SUMMARY_SCAN])).split())
        if text:
            if len(text) <= limit:
                return text
            return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return ""


def _without_figures(text: str) -> str:
    """The text outside <figure> elements, in one pass (no backtracking over unclosed ones)."""
    if "<fig" not in text and "<FIG" not in text:
        return text
    kept, depth, start = [], 0, 0
    for tag in _HTML_FIGURE.finditer(text):
        if depth == 0:
            kept.append(text[start : tag.start()])
        depth = max(depth - 1, 0) if tag.group(1) else depth + 1
        start = tag.end()
    if depth == 0:
        kept.append(text[start:])
    return "\n\n".join(kept)


def word_count(body: str) -> int:
    """Words in a body, counted when it is saved (and stored: exports do not count again)."""
    return len(body.split())


def credited_outlet(record: Record) -> str:
    """The outlet a story with no byline of its own is credited to: a desk story's source
    (credited as an organisation, never as a person); "" for the site's own stories."""
    return "" if record.get("authors") else " ".join(str(record.get("source_name") or "").split())


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def correction_entry(kind: str, created_at: datetime | None, text: str) -> dict[str, Any]:
    return {"kind": kind, "created_at": iso(created_at), "text": text}


def build_record(
    columns: Mapping[str, Any],
    *,
    base_url: str,
    section: str | None,
    tags: list[str],
    authors: list[str],
    aliases: list[str],
    corrections: list[dict[str, Any]],
    photo: dict[str, Any] | None = None,
    coverage: list[dict[str, Any]] | None = None,
    source_feed_url: str | None = None,
    as_written: bool = False,
) -> Record:
    """The record from an article's column values (times already ISO text) and its relations."""
    derived = {
        "url": article_url(base_url, columns["slug"]),
        "summary": columns["summary"] if as_written else columns["summary"] or derive_summary(columns["body"]),
        "section": section,
        "tags": tags,
        "authors": authors,
        "aliases": aliases,
        "corrections": corrections,
        "photo": photo,
        "coverage": coverage or [],
        "source_feed_url": source_feed_url,
    }
    return {name: derived[name] if name in derived else columns[name] for name in RECORD_FIELDS}


def retraction_notice(record: Record) -> str:
    """The public words of a retraction: the editor's reason, else the site's standard sentence."""
    return str(record.get("retraction_reason") or words_for(record.get("language") or "en")["retracted"])


def public_view(record: Record) -> Record | None:
    """What a reader outside the newsroom may see of an article, or None for nothing at all.

    Drafts, review, scheduled and trashed articles are not public. Private fields (the editor's
    note, who changed it) never leave. A retracted story keeps its title, dates and notices, and
    its notice stands in for the story: no body, no summary of it, no photo.
    """
    if record.get("status") not in PUBLIC_STATUSES or record.get("deleted_at"):
        return None
    view = {key: value for key, value in record.items() if key not in PRIVATE_FIELDS}
    if view["status"] == "retracted":
        view.update(
            body="",
            subtitle="",
            summary=retraction_notice(view),
            word_count=0,
            photo=None,
            image_url="",
            image_alt="",
            image_caption="",
            image_credit="",
        )
    return view


# ---------------------------------------------------------------- spreadsheets


# A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """CSV cells never run as formulas: a leading ' makes a spreadsheet show them as text.

    A cell that already starts with ' gets one more, so reading back removes exactly one.
    """
    return "'" + text if text.startswith((*FORMULA_PREFIXES, "'")) else text


def spreadsheet_unsafe(cell: str) -> str:
    """The reverse of :func:`spreadsheet_safe`, for reading our own CSV back."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith((*FORMULA_PREFIXES, "'")) else cell
