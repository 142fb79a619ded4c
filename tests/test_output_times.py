"""Every time balita writes for a machine carries its offset: ISO 8601 (RFC 3339) in JSON, CSV,
Atom, ninjs, JSON Feed, sitemaps, Hugo front matter and the HTML of notices and pages; RFC 822
with its zone in RSS. Each is read back by a parser that requires the offset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.checkers.feeds import is_rfc3339, rfc822_problems
from tests.helpers.cli import Cli
from tests.helpers.site import make_photo, retract

# A date and a time of day, with whatever zone follows it (none is what must not be found).
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?")
RSS_DATE = re.compile(r"<(pubDate|lastBuildDate)>([^<]*)</\1>")
EXPORTS = ("json", "jsonl", "csv", "rss", "atom", "jsonfeed", "ninjs", "sitemap", "news-sitemap")
READS = (  # the commands that print times for scripts
    ("list", "--format", "json"),
    ("list", "--format", "csv"),
    ("list", "--format", "jsonl"),
    ("show", "1", "--format", "json"),
    ("history", "1", "--format", "json"),
    ("search", "coast", "--format", "json"),
    ("media", "list", "--format", "json"),
    ("source", "list", "--format", "json"),
)


@pytest.fixture
def demo_with_notices(cli: Cli, tmp_path: Path) -> Cli:
    """The demo with a photo, a correction, a retraction and a source the desk follows."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    (tmp_path / "pier.jpg").write_bytes(make_photo(900, 600))
    cli.ok("media", "add", str(tmp_path / "pier.jpg"), "--alt", "A pier")
    cli.ok("edit", "1", "--image", "1")
    cli.ok("correct", "1", "The hotline opens in January, not December.")
    cli.ok("correct", "2", "A name was misspelt.")
    retract(cli.db_url, "3", "The figures could not be checked.")
    cli.ok("source", "add", "GMA News", "https://data.gmanetwork.com/gno/rss/news/feed.xml")
    return cli


def naive_times(text: str) -> list[str]:
    return [found for found in ISO_TIME.findall(text) if not is_rfc3339(found)]


def assert_offsets(what: str, text: str) -> int:
    """Every time in ``text`` has its offset; returns how many were read."""
    assert naive_times(text) == [], what
    rss_dates = [value for _tag, value in RSS_DATE.findall(text)]
    assert [value for value in rss_dates if rfc822_problems(value)] == [], what
    return len(ISO_TIME.findall(text)) + len(rss_dates)


def test_the_parser_refuses_a_time_without_its_offset() -> None:
    assert naive_times('<time datetime="2026-12-07T17:27:53">') == ["2026-12-07T17:27:53"]
    assert naive_times("2026-12-07 17:27:53+00:00, 2026-12-07T17:27:53.5Z") == ["2026-12-07 17:27:53+00:00"]
    assert rfc822_problems("Mon, 07 Dec 2026 17:27:53") != []


@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_writes_times_with_their_offset(demo_with_notices: Cli, name: str) -> None:
    text = demo_with_notices.ok("export", name).stdout
    assert assert_offsets(name, text) >= 1
    if name in ("rss", "atom", "jsonfeed", "ninjs"):  # the notices' HTML carries their times too
        assert re.search(r'datetime=\\?"2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\\?"', text), name


def test_the_hugo_tree_and_every_read_write_times_with_their_offset(demo_with_notices: Cli, tmp_path: Path) -> None:
    demo_with_notices.ok("export", "markdown", "-o", str(tmp_path / "hugo"))
    for path in sorted((tmp_path / "hugo" / "content").rglob("*.md")):
        assert_offsets(str(path), path.read_text(encoding="utf-8"))
    for args in READS:
        assert assert_offsets(" ".join(args), demo_with_notices.ok(*args).stdout) >= 1


def test_the_built_site_writes_times_with_their_offset(demo_with_notices: Cli, tmp_path: Path) -> None:
    demo_with_notices.ok("build", "--no-search")
    read = 0
    for path in sorted((tmp_path / "public").rglob("*")):
        if path.suffix in (".html", ".xml", ".json", ".txt"):
            read += assert_offsets(str(path), path.read_text(encoding="utf-8"))
    assert read > 50
