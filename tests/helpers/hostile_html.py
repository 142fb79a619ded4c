"""Hostile HTML: feedparser's sanitizer corpus, and the check that what balita wrote cannot run."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import feedparser

from tests.helpers.corpora import corpora_path

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class TagCollector(HTMLParser):
    """Every start tag and its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_harmless(html: str) -> None:
    parser = TagCollector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs:
            assert not name.lower().startswith("on"), (name, html)
            url = "".join((value or "").split()).lower()
            if name.lower() in URL_ATTRIBUTES:
                assert not url.startswith(DANGEROUS_SCHEMES), html
    assert "<script" not in html.lower()


def corpus_snippets() -> list[tuple[str, str]]:
    """(file name, raw HTML) for every entry of every sanitize test feed, unsanitized, plus each
    whole file unescaped (some hide their HTML in feed-level elements)."""
    folder: Path = corpora_path("feeds", "feedparser", "wellformed", "sanitize")
    snippets = []
    for path in sorted(folder.glob("*.xml")):
        feed = feedparser.parse(path.read_bytes(), sanitize_html=False)
        for entry in feed.entries:
            for detail in [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]:
                if detail and detail.get("value"):
                    snippets.append((path.name, detail["value"]))
        snippets.append((path.name, unescape(path.read_text(encoding="utf-8", errors="replace"))))
    return snippets
