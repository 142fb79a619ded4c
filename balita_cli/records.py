"""Article -> plain dict: the single serialisation point for every machine format.

Keys are stable and documented in docs/scripting.md. Times are ISO 8601 with offset (UTC).
"""

from __future__ import annotations

import re
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


def article_record(article: Article, base_url: str) -> dict[str, Any]:
    """Every field of an article, relations included (they must be eager-loaded)."""
    return {
        "id": article.id,
        "slug": article.slug,
        "url": article_url(base_url, article.slug),
        "title": article.title,
        "subtitle": article.subtitle,
        "summary": article.summary or derive_summary(article.body),
        "body": article.body,
        "status": article.status.value,
        "language": article.language,
        "section": article.section.name if article.section else None,
        "tags": [tag.name for tag in article.tags],
        "authors": [author.name for author in article.authors],
        "source_name": article.source_name,
        "source_url": article.source_url,
        "canonical_url": article.canonical_url,
        "image_url": article.image_url,
        "image_alt": article.image_alt,
        "image_caption": article.image_caption,
        "image_credit": article.image_credit,
        "dateline": article.dateline,
        "editor_note": article.editor_note,
        "featured": article.featured,
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "published_at": iso(article.published_at),
        "scheduled_at": iso(article.scheduled_at),
        "expires_at": iso(article.expires_at),
        "deleted_at": iso(article.deleted_at),
        "version": article.version,
        "updated_by": article.updated_by,
        "external_id": article.external_id,
        "retraction_reason": article.retraction_reason,
        "aliases": [old.slug for old in article.old_slugs],
        "corrections": [{"kind": c.kind, "created_at": iso(c.created_at), "text": c.text} for c in article.corrections],
        "word_count": word_count(article.body),
    }


def select_fields(record: dict[str, Any], fields: tuple[str, ...] | None) -> dict[str, Any]:
    if not fields:
        return record
    return {name: record[name] for name in fields}


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
