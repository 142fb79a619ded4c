"""feedparser's 745 hostile-HTML cases imported as article bodies, then every HTML-bearing output
read back: no script, event handler, javascript:/data:text/html URL or style survives anywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.helpers.cli import Cli
from tests.helpers.hostile_html import assert_harmless, corpus_snippets

pytestmark = pytest.mark.slow  # the fast lane, pytest -m "not slow", leaves these out

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
HTML_FORMATS = ("rss", "atom", "wxr")  # XML carrying HTML as text or CDATA
JSON_FORMATS = ("jsonfeed", "ninjs")


def hostile_archive(path: Path) -> int:
    """One article per corpus snippet, written as our own JSON Lines and imported like any archive."""
    lines = []
    for number, (name, html) in enumerate(corpus_snippets(), start=1):
        lines.append(
            json.dumps(
                {
                    "title": f"Hostile {number} ({name})",
                    "slug": f"hostile-{number}",
                    "body": html,
                    "status": "published",
                    "published_at": "2026-11-20T00:00:00+00:00",
                    "source_name": "feedparser corpus",
                    "source_url": "javascript:alert(1)",
                }  # fmt: skip
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def strings_in_xml(data: bytes) -> list[str]:
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    found = []
    for element in root.iter():
        found += [text for text in (element.text, element.tail) if text and text.strip()]
        found += list(element.attrib.values())
    return found


def strings_in_json(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in_json(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in_json(item)]
    return []


def test_hostile_bodies_come_out_harmless_in_every_html_output(cli: Cli, tmp_path: Path) -> None:
    total = hostile_archive(tmp_path / "hostile.jsonl")
    summary = cli.json("import", "jsonl", str(tmp_path / "hostile.jsonl"), "--format", "json")
    assert summary["created"] == total and summary["rejected"] == 0
    for name in HTML_FORMATS:
        out = tmp_path / f"out.{name}"
        cli.ok("export", name, "--status", "published", "-o", str(out))
        texts = strings_in_xml(out.read_bytes())
        assert sum("Hostile" in text for text in texts) >= total, name
        for text in texts:
            assert_harmless(text)
    for name in JSON_FORMATS:
        out = tmp_path / f"out.{name}.json"
        cli.ok("export", name, "-o", str(out))
        for text in strings_in_json(json.loads(out.read_text(encoding="utf-8"))):
            assert_harmless(text)
    cli.ok("build", "-o", str(tmp_path / "site"))
    pages = list((tmp_path / "site" / "articles").glob("*/index.html"))
    assert len(pages) == total
    for page in pages:
        html = page.read_text(encoding="utf-8")
        # The one script a page may carry is its JSON-LD data block, which must still parse.
        blocks = JSON_LD.findall(html)
        assert len(blocks) == 1 and json.loads(blocks[0])["@type"] == "NewsArticle", page
        assert_harmless(JSON_LD.sub("", html))
