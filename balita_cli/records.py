"""Article -> plain dict: the single serialisation point for every machine format.

Keys are stable and documented in docs/scripting.md. Times are ISO 8601 with offset (UTC).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from balita_cli.timeutil import iso

if TYPE_CHECKING:
    from balita_cli.models import Article

SUMMARY_LENGTH = 280
RECORD_FIELDS = (
    "id", "slug", "url", "title", "subtitle", "summary", "body", "status", "language",
    "section", "tags", "authors", "source_name", "source_url", "canonical_url",
    "image_url", "image_alt", "image_caption", "image_credit", "dateline", "editor_note",
    "featured", "created_at", "updated_at", "published_at", "scheduled_at", "expires_at",
    "deleted_at", "version", "updated_by", "external_id", "retraction_reason", "aliases",
    "corrections", "word_count",
)  # fmt: skip
# What `list` shows when no --fields is given.
DEFAULT_LIST_FIELDS = ("id", "status", "published_at", "section", "title")

_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`#>]+|<[^>]+>")


def article_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/articles/{slug}/"


def derive_summary(body: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph of the body as plain text, cut at a word boundary."""
    for paragraph in re.split(r"\n\s*\n", body.strip()):
        text = " ".join(_MARKDOWN_NOISE.sub(r"\1", paragraph).split())
        if text:
            if len(text) <= limit:
                return text
            return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return ""


def word_count(body: str) -> int:
    return len(body.split())


# The article table's own columns that a record carries as they are.
PLAIN_COLUMNS = (
    "id", "slug", "title", "subtitle", "body", "language", "source_name", "source_url", "canonical_url",
    "image_url", "image_alt", "image_caption", "image_credit", "dateline", "editor_note", "featured",
    "version", "updated_by", "external_id", "retraction_reason",
)  # fmt: skip
TIME_COLUMNS = ("created_at", "updated_at", "published_at", "scheduled_at", "expires_at", "deleted_at")


def build_record(
    columns: Mapping[Any, Any],
    *,
    base_url: str,
    section: str | None,
    tags: list[str],
    authors: list[str],
    aliases: list[str],
    corrections: list[dict[str, Any]],
) -> dict[str, Any]:
    """The record from an article's column values and its relations' names.

    ORM objects (``article_record``) and plain rows (the streaming export) both come through
    here, so every format sees exactly the same keys and values.
    """
    record: dict[str, Any] = {name: columns[name] for name in PLAIN_COLUMNS}
    record.update({name: iso(columns[name]) for name in TIME_COLUMNS})
    body = columns["body"]
    status = columns["status"]
    record.update(
        url=article_url(base_url, columns["slug"]),
        summary=columns["summary"] or derive_summary(body),
        status=getattr(status, "value", status),
        section=section,
        tags=tags,
        authors=authors,
        aliases=aliases,
        corrections=corrections,
        word_count=word_count(body),
    )
    return {name: record[name] for name in RECORD_FIELDS}


def correction_entry(kind: str, created_at: Any, text: str) -> dict[str, Any]:
    return {"kind": kind, "created_at": iso(created_at), "text": text}


def article_record(article: Article, base_url: str) -> dict[str, Any]:
    """Every field of an article, relations included (they must be eager-loaded)."""
    columns = {name: getattr(article, name) for name in (*PLAIN_COLUMNS, *TIME_COLUMNS, "summary", "status")}
    return build_record(
        columns,
        base_url=base_url,
        section=article.section.name if article.section else None,
        tags=[tag.name for tag in article.tags],
        authors=[author.name for author in article.authors],
        aliases=[old.slug for old in article.old_slugs],
        corrections=[correction_entry(c.kind, c.created_at, c.text) for c in article.corrections],
    )


def flat_value(value: Any) -> str:
    """One cell of text: lists joined with "; ", corrections as "date: text", None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(
            f"{item['created_at']}: {item['text']}" if isinstance(item, dict) else str(item) for item in value
        )
    return str(value)


# A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """CSV cells never run as formulas: a leading ' makes a spreadsheet show them as text."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def spreadsheet_unsafe(cell: str) -> str:
    """The reverse of :func:`spreadsheet_safe`, for reading our own CSV back."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES) else cell
