"""Article bodies as safe HTML: Markdown rendered by markdown-it-py, then sanitised by nh3.

Every HTML-bearing output (feeds, WXR, the static site) goes through ``article_html`` so a
hostile body (``<script>``, ``onerror=``, ``javascript:`` links, control characters) comes out
the same harmless way everywhere.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from typing import Any

from balita_cli.formats.base import Record, is_retracted

# Characters XML 1.0 forbids (and C1 controls): they break feed readers and XML parsers.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Our own notices carry a class so a stylesheet can find them; nothing else may set one.
NOTICE_CLASSES = {"aside": {"corrections", "retraction"}, "p": {"source", "retraction"}}


def clean_text(text: str | None) -> str:
    """Text safe in any XML document: forbidden control characters removed."""
    return _INVALID_XML.sub("", text or "")


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # Raw HTML in bodies is allowed through the parser: nh3 decides what of it survives.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def sanitize(html: str) -> str:
    """Only harmless tags and attributes; links open no opener; no script-bearing URL schemes."""
    import nh3

    attributes = {key: set(value) for key, value in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes.setdefault("time", set()).add("datetime")
    cleaned: str = nh3.clean(
        clean_text(html),
        attributes=attributes,
        url_schemes=set(SAFE_URL_SCHEMES),
        clean_content_tags={"script", "style"},
        allowed_classes={tag: set(names) for tag, names in NOTICE_CLASSES.items()},
        link_rel="noopener noreferrer",
    )
    return cleaned


def render_markdown(body: str | None) -> str:
    """Markdown (as editors write it) to sanitised HTML."""
    return sanitize(_markdown().render(clean_text(body)))


def retraction_html(record: Record) -> str:
    reason = record.get("retraction_reason") or "This article has been retracted."
    return (
        '<aside class="retraction"><p class="retraction"><strong>Retracted:</strong> '
        f"{escape(clean_text(reason))}</p></aside>"
    )


def corrections_html(record: Record) -> str:
    corrections = record.get("corrections") or []
    if not corrections:
        return ""
    items = "".join(
        f'<li><time datetime="{escape(item["created_at"] or "")}">'
        f"{escape((item['created_at'] or '')[:10])}</time> "
        f"{escape(clean_text(item['text']))}</li>"
        for item in corrections
    )
    return f'<aside class="corrections"><h2>Corrections</h2><ul>{items}</ul></aside>'


def source_html(record: Record) -> str:
    """The "Read more on <source>" credit for an excerpt of another outlet's story."""
    name, url = record.get("source_name"), record.get("source_url")
    if not name and not url:
        return ""
    label = escape(clean_text(name or url))
    if url:
        return f'<p class="source">Read more on <a href="{escape(url)}">{label}</a></p>'
    return f'<p class="source">Read more on {label}</p>'


def article_html(record: Record) -> str:
    """The item HTML of a public output: the body (or the retraction notice), the source credit
    and the corrections, sanitised as one fragment."""
    body = retraction_html(record) if is_retracted(record) else render_markdown(record.get("body"))
    return sanitize(body + source_html(record) + corrections_html(record))


def plain_text(record: Record) -> str:
    """What a text-only reader gets: the summary, or the retraction notice."""
    if is_retracted(record):
        return clean_text(record.get("retraction_reason") or "This article has been retracted.")
    return clean_text(record.get("summary"))
