"""HTML, one way for everything: bodies rendered from Markdown by markdown-it-py and sanitised by
nh3; what imports bring in sanitised by the same policy; HTML turned into plain text one way.

Every HTML-bearing output (feeds, WXR, the static site) goes through ``article_html`` or
``render_markdown``, so a hostile body (``<script>``, ``onerror=``, ``javascript:`` links, control
characters, a ``class`` that imitates the site's own notices, nesting thousands deep) comes out
the same harmless way everywhere.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from functools import cache
from html import escape
from typing import Any

from balita_cli.records import Record, retraction_notice
from balita_cli.schema import is_web_url, strip_controls
from balita_cli.timeutil import iso_seconds
from balita_cli.words import words_for

# Characters XML 1.0 forbids (and C1 controls): they break feed readers and XML parsers.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Deeper than any real article; past it a parser's work (and a browser's) grows without use.
MAX_NESTING = 100
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def clean_text(text: str | None) -> str:
    """Text safe in any XML document: forbidden control characters removed."""
    return _INVALID_XML.sub("", text or "")


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt  # here: only a body that is rendered loads the parser

    # Raw HTML in bodies is allowed through the parser: nh3 decides what of it survives.
    return MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])


def _flatten_deep_nesting(fragment: str) -> str:
    """Tags past ``MAX_NESTING`` levels are dropped (their text stays), in one linear pass."""
    depth = 0
    kept: list[str] = []
    position = 0
    for match in _TAG.finditer(fragment):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        kept.append(fragment[position : match.start()])
        position = match.end()
        if name in _VOID or self_closing:
            kept.append(match.group(0))
        elif closing:
            depth = max(depth - 1, 0)
            kept.append(match.group(0) if depth < MAX_NESTING else "")
        else:
            kept.append(match.group(0) if depth < MAX_NESTING else "")
            depth += 1
    kept.append(fragment[position:])
    return "".join(kept)


# nh3 gives every <a> its rel="noopener noreferrer", even one without href (a placeholder
# link), where HTML forbids rel. Its output quotes attributes with double quotes, one space apart.
_OTHER_ATTRIBUTES = r"((?:\s+(?!href=)[a-z-]+=\"[^\"]*\")*)"
_A_WITHOUT_HREF = re.compile(rf"<a{_OTHER_ATTRIBUTES}\s+rel=\"[^\"]*\"{_OTHER_ATTRIBUTES}>")


def sanitize(fragment: str) -> str:
    """Only harmless tags and attributes; no classes or ids (the site's notices own those); links
    open no opener (and a link without href gets no rel, which HTML forbids); no script-bearing
    URL schemes."""
    import nh3  # here: only HTML that is cleaned loads the sanitiser

    attributes = {key: set(value) - {"class", "id"} for key, value in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes.setdefault("time", set()).add("datetime")
    cleaned: str = nh3.clean(
        _flatten_deep_nesting(clean_text(fragment)),
        attributes=attributes,
        url_schemes=set(SAFE_URL_SCHEMES),
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )
    return _A_WITHOUT_HREF.sub(r"<a\1\2>", cleaned)


# A <pre> at the start of a line or right after a tag. Markdown passes a <pre> block through whole
# (blank lines and indentation kept) only when it opens a block of its own: on the line of another
# tag, as WordPress writes "<h2>…</h2>\n<pre>", it ends at its first blank line and the rest of
# the poem or code becomes paragraphs inside it.
_PRE_OPENING = re.compile(r"(?:^|(?<=>))[ \t]*(?=<pre\b)", re.IGNORECASE | re.MULTILINE)


def html_body(fragment: str) -> str:
    """Imported HTML as a Markdown body: sanitised, each ``<pre>`` block after a blank line."""
    return _PRE_OPENING.sub("\n\n", sanitize(fragment)).strip()


# markdown-it looks for the closing "]" of every "[" to the end of its paragraph, so thousands of
# them in one paragraph take quadratic time. No real paragraph has this many; past it they are
# literal.
MAX_BRACKETS = 100
# The inline parser takes emphasis, escapes, entities, code spans, links and stray "<" a
# character at a time, and the sanitiser then decodes each entity made of them: a paragraph at
# least half made of them is not prose. It is shown as the literal text it is, escaped, past both.
INLINE_MARKUP = "*_~`\\&!<[]()"
MAX_INLINE_MARKUP = 1_000
_PARAGRAPHS = re.compile(r"(\n[ \t]*\n)")


def _markup_count(text: str) -> int:
    return sum(text.count(character) for character in INLINE_MARKUP)


def _is_markup_heap(paragraph: str) -> bool:
    markup = _markup_count(paragraph)
    return markup > MAX_INLINE_MARKUP and markup * 2 >= len(paragraph)


def _defuse_brackets(markdown: str) -> str:
    if markdown.count("[") <= MAX_BRACKETS:
        return markdown
    parts = _PARAGRAPHS.split(markdown)
    return "".join(part.replace("[", "\\[") if part.count("[") > MAX_BRACKETS else part for part in parts)


def _render(markdown: str) -> str:
    return sanitize(_markdown().render(_defuse_brackets(markdown))) if markdown.strip() else ""


class _Rendered:
    """Bodies rendered in this run, by their Markdown, the least recently used dropped first once
    their text passes ``budget`` characters. A site build shows a story on its page and in the
    site's, its section's, its tags' and its authors' feeds, made after every page, when a cache
    of a few dozen bodies would long have dropped it; a count of bodies would bound nothing, as
    one body may be very long."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._size = 0
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, body: str) -> str | None:
        with self._lock:
            html_text = self._items.get(body)
            if html_text is not None:
                self._items.move_to_end(body)
            return html_text

    def put(self, body: str, html_text: str) -> None:
        size = len(body) + len(html_text)
        if size > self._budget:
            return
        with self._lock:
            if body in self._items:
                return
            self._items[body] = html_text
            self._size += size
            while self._size > self._budget:
                dropped, dropped_html = self._items.popitem(last=False)
                self._size -= len(dropped) + len(dropped_html)


_RENDERED = _Rendered(budget=32_000_000)


def render_markdown(body: str | None) -> str:
    """Markdown (as editors write it) to sanitised HTML; a body is rendered once per run while
    it is among the last 32 million characters rendered."""
    key = body or ""
    found = _RENDERED.get(key)
    if found is None:
        found = _render_markdown(key)
        _RENDERED.put(key, found)
    return found


def _render_markdown(body: str) -> str:
    text = clean_text(body)
    if _markup_count(text) <= MAX_INLINE_MARKUP:
        return _render(text)
    html_parts: list[str] = []
    pending: list[str] = []  # paragraphs (and the blank lines between them) still to render
    for part in _PARAGRAPHS.split(text):
        if _is_markup_heap(part):
            html_parts.append(_render("".join(pending)))
            html_parts.append(f"<p>{escape(part.strip())}</p>\n")
            pending = []
        else:
            pending.append(part)
    html_parts.append(_render("".join(pending)))
    return "".join(html_parts)


def html_to_text(fragment: str | None) -> str:
    """What a person reads of an HTML fragment: tags gone, entities decoded, whitespace folded."""
    import nh3  # here: only HTML that is cleaned loads the sanitiser

    text = nh3.clean(_flatten_deep_nesting(clean_text(fragment)), tags=set())
    return " ".join(strip_controls(html.unescape(str(text)), prose=True).split())


def _words(record: Record) -> dict[str, str]:
    """The site's words in the story's own language (a Filipino item's notices are in Filipino)."""
    return words_for(record.get("language") or "en")


def retraction_html(record: Record) -> str:
    return (
        f'<aside class="retraction"><p><strong>{_words(record)["retracted_label"]}:</strong> '
        f"{escape(clean_text(retraction_notice(record)))}</p></aside>"
    )


def corrections_html(record: Record) -> str:
    corrections = [item for item in record.get("corrections") or [] if item.get("kind") != "retraction"]
    if not corrections:
        return ""
    items = "".join(
        f'<li><time datetime="{escape(iso_seconds(item["created_at"]) or "")}">'
        f"{escape((item['created_at'] or '')[:10])}</time> "
        f"{escape(clean_text(item['text']))}</li>"
        for item in corrections
    )
    return f'<aside class="corrections"><h2>{_words(record)["corrections"]}</h2><ul>{items}</ul></aside>'


def source_html(record: Record) -> str:
    """The "Read more on <source>" credit for an excerpt of another outlet's story."""
    name, url = record.get("source_name"), record.get("source_url")
    if not name and not url:
        return ""
    label = escape(clean_text(name or url))
    read_more = _words(record)["read_more"]
    if url and is_web_url(url):
        return f'<p class="source">{read_more} <a href="{escape(url)}">{label}</a></p>'
    return f'<p class="source">{read_more} {label}</p>'


def article_html(record: Record) -> str:
    """The item HTML of a public output: the corrections first (as newspapers print them), then
    the body (or the retraction notice) and the source credit. The body is sanitised on its own;
    the notices around it are balita's own markup of escaped text."""
    if record.get("status") == "retracted":
        return retraction_html(record)
    return corrections_html(record) + render_markdown(record.get("body")) + source_html(record)


def plain_text(record: Record) -> str:
    """What a text-only reader gets: the summary, or the retraction notice."""
    if record.get("status") == "retracted":
        return clean_text(retraction_notice(record))
    return clean_text(record.get("summary"))
