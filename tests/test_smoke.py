"""The shortest path through the product: init --demo, list, show, search."""

from __future__ import annotations

from tests.helpers.cli import Cli


def test_demo_site_lists_and_shows(cli: Cli) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    rows = cli.json("list", "--format", "json", "--fields", "id,title,source_name,language")
    assert len(rows) == 7
    assert {row["language"] for row in rows} == {"en", "fil"}
    vietnam = next(row for row in rows if "Vietnam" in row["title"])
    assert vietnam["source_name"] == "philstar.com"
    shown = cli.ok("show", str(vietnam["id"])).stdout
    assert "Read more on philstar.com" in shown


def test_search_finds_ranked_snippet(cli: Cli) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    hits = cli.json("search", "coast guard", "--format", "json")
    assert hits and "Vietnam" in hits[0]["title"]
    assert "<mark>" in hits[0]["snippet"]
