"""stats agrees with list: the same filters give the same numbers."""

from __future__ import annotations

import pytest

from tests.helpers.cli import Cli


@pytest.fixture
def demo(cli: Cli) -> Cli:
    cli.ok("init", "--demo", "--database", cli.db_url)
    return cli


def count(cli: Cli, *filters: str) -> int:
    return int(cli.ok("list", *filters, "--format", "count").stdout)


@pytest.mark.slow
@pytest.mark.parametrize("filters", [(), ("--lang", "fil"), ("--section", "politics"), ("--status", "published")])
def test_stats_json_matches_list_count(demo: Cli, filters: tuple[str, ...]) -> None:
    stats = demo.json("stats", *filters, "--format", "json")
    assert stats["total"] == count(demo, *filters)
    for status, n in stats["by_status"].items():
        assert n == count(demo, *filters, "--status", status)
    for language, n in stats["by_language"].items():
        assert n == count(demo, *filters, "--lang", language)
    for section, n in stats["by_section"].items():
        if section != "(none)":
            assert n == count(demo, *filters, "--section", section)
    for tag, n in stats["by_tag"].items():
        assert n == count(demo, *filters, "--tag", tag)
    for author, n in stats["by_author"].items():
        assert n == count(demo, *filters, "--author", author)


def test_published_per_day_covers_the_period(demo: Cli) -> None:
    stats = demo.json("stats", "--format", "json", "--days", "10")
    days = stats["published_per_day"]
    assert len(days) == 10
    assert sum(day["published"] for day in days) == count(demo, "--status", "published", "--since", "9 days ago")
    assert days == sorted(days, key=lambda day: day["date"])


def test_stats_chart_for_people(demo: Cli) -> None:
    text = demo.ok("stats", "--days", "7").stdout
    assert "By section" in text and "Politics" in text and "█" in text
    assert "Published per day" in text


@pytest.mark.slow
def test_stats_rejects_bad_days(demo: Cli) -> None:
    demo.fails(["stats", "--days", "0"], code=2)
