"""One story, many outlets: another outlet's version is filed under the story, not as a new draft.

The wording is real: tests/fixtures/coverage/pairs.json holds title + lead pairs from the corpora's
Philippine feeds (and rewrites in the outlets' house styles), each marked as one story or two.
Each pair is served as two outlets' feeds; the second outlet's entry must become related
coverage of the first's story exactly when the pair is one story. The scores ``fetch
--explain`` prints are shown for every pair (run pytest with -s to read them).
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest

from balita_cli import console
from balita_cli.cli.showing import render_article
from balita_cli.text.similarity import DEFAULT_THRESHOLD
from tests.helpers.cli import Cli
from tests.helpers.feed_server import FeedSite, add_source, articles, fetch_json, ph_news

PAIRS = json.loads((Path(__file__).parent / "fixtures" / "coverage" / "pairs.json").read_text(encoding="utf-8"))
CROSS_OUTLET = [pair for pair in PAIRS["pairs"] if pair["a"]["outlet"] != pair["b"]["outlet"]]
START = datetime(2021, 10, 17, 8, 0, tzinfo=UTC)


def rss(outlet: str, items: list[tuple[str, str, str, datetime]]) -> bytes:
    """A feed of (guid, title, lead, published) items, as the outlet would serve it."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>https://{slug(outlet)}.example.ph/{guid}</link>"
        f"<guid>{guid}</guid><description>{escape(lead)}</description>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for guid, title, lead, when in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(outlet)}</title>'
            f"<link>https://{slug(outlet)}.example.ph/</link>{entries}</channel></rss>").encode()  # fmt: skip


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.mark.slow
@pytest.mark.parametrize("pair", CROSS_OUTLET, ids=[pair["id"] for pair in CROSS_OUTLET])
def test_a_pair_is_one_story_exactly_when_it_is_one_story(feed_site: FeedSite, cli: Cli, pair: dict[str, Any]) -> None:
    first, second = pair["a"], pair["b"]
    add_source(cli, first["outlet"], feed_site.put("/a.xml", rss(first["outlet"], [
        ("a", first["title"], first["lead"], START)]), '"a"'))  # fmt: skip
    fetch_json(cli)
    add_source(cli, second["outlet"], feed_site.put("/b.xml", rss(second["outlet"], [
        ("b", second["title"], second["lead"], START + timedelta(hours=1))]), '"b"'))  # fmt: skip

    result = cli.ok("fetch", "--explain", "--format", "json", slug(second["outlet"]))
    run = json.loads(result.stdout)[0]
    (entry,) = run["explain"]
    best = entry["candidates"][0]["score"] if entry["candidates"] else 0.0
    print(f"\n{pair['id']}: {'same' if pair['same'] else 'different'} story, score {best:.3f} "  # noqa: T201
          f"(threshold {DEFAULT_THRESHOLD}): {second['outlet']} -> {entry['decision']}")  # fmt: skip

    stories = articles(cli)
    if pair["same"]:
        assert entry["decision"] == "related" and best >= DEFAULT_THRESHOLD
        (story,) = stories
        assert story["title"] == first["title"]
        assert [item["source_name"] for item in story["coverage"]] == [second["outlet"]]
        assert story["coverage"][0]["title"] == second["title"]
        assert f"Also reported by: {second['outlet']}" in cli.ok("show", str(story["id"])).stdout
    else:
        assert entry["decision"] == "new story" and best < DEFAULT_THRESHOLD
        assert sorted(story["title"] for story in stories) == sorted([first["title"], second["title"]])
        assert all(story["coverage"] == [] for story in stories)


@pytest.mark.slow
def test_two_outlets_real_feeds_file_their_shared_stories_once(feed_site: FeedSite, cli: Cli) -> None:
    """philstar.com and GMA both carried Robredo's stimulus call and the DOH's 6,913 cases."""
    ph_news(feed_site, cli)
    text = cli("fetch", "--explain").stdout

    stories = {story["title"]: story for story in articles(cli)}
    assert len(stories) == 10 + 15 + 14 - 2
    doh = stories["DOH logs 6,913 new COVID-19 infections, but three labs without data"]
    assert [(c["source_name"], c["title"]) for c in doh["coverage"]] == [
        ("GMA News", "Philippines logs 6,913 new COVID-19 cases; total caseload at 2,720,368")]  # fmt: skip
    robredo = stories["Robredo wants stimulus package for MSMEs"]  # GMA had it first
    assert [c["source_name"] for c in robredo["coverage"]] == ["Philstar"]
    assert re.search(rf"GMA News: Philippines logs 6,913 new COVID-19 cases.*->  related #{doh['id']}", text)
    assert re.search(rf"\n    0\.\d+  #{doh['id']}  DOH logs 6,913", text)

    plain = cli.ok("show", str(doh["id"])).stdout
    assert "Also reported by: GMA News\n" in plain and "gmanetwork.com/news/news/nation/807319" in plain
    shown = console.make_console(record=True, force_terminal=True, width=160, file=io.StringIO())
    with console.capture(shown):
        from balita_cli.services import reading

        with reading_db(cli) as db:
            render_article(reading.record(db, doh["id"], "https://balita.example.ph"), UTC)
    assert "Also reported by: GMA News" in shown.export_text()

    clusters = cli.ok("list", "--clusters").stdout.splitlines()
    assert clusters[0].split("\t") == ["id", "status", "published_at", "outlets", "title", "also_reported_by"]
    assert {tuple(row.split("\t")[i] for i in (0, 3, 5)) for row in clusters[1:]} == {
        (str(doh["id"]), "2", "GMA News"), (str(robredo["id"]), "2", "Philstar")}  # fmt: skip
    as_json = cli.json("list", "--clusters", "--format", "json", "--fields", "id,outlets,also_reported_by")
    assert {(row["id"], row["outlets"]) for row in as_json} == {(doh["id"], 2), (robredo["id"], 2)}


def reading_db(cli: Cli) -> Any:
    from balita_cli.db.dbapi import reading

    return reading(cli.db_url)


def test_an_outlets_own_second_version_is_not_its_own_related_coverage(feed_site: FeedSite, cli: Cli) -> None:
    """ABS-CBN uploads one evening's TV Patrol story twice; the two score above the threshold, but
    "Also reported by: ABS-CBN News" on an ABS-CBN story would say nothing."""
    ph_news(feed_site, cli)
    text = cli("fetch", "--explain").stdout
    assert "(same source)" in text
    abscbn = [story for story in articles(cli) if story["source_name"] == "ABS-CBN News"]
    assert len(abscbn) == 14 and all(story["coverage"] == [] for story in abscbn)


def test_the_threshold_is_configurable(feed_site: FeedSite, cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text("[desk]\nrelated_threshold = 0.95\n")
    ph_news(feed_site, cli)
    fetch_json(cli)
    assert len(articles(cli)) == 10 + 15 + 14
    assert cli.ok("list", "--clusters").stdout.strip() == "id\tstatus\tpublished_at\toutlets\ttitle\talso_reported_by"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("related_threshold = 0", "between 0.01 and 1"),
        ("related_threshold = 'high'", "must be a number"),
        ("concurrency = 1000", "between 1 and 32"),
        ("loudness = 11", "unknown setting(s) in [desk]: loudness"),
    ],
)
def test_bad_desk_settings_are_one_error(cli: Cli, tmp_path: Path, setting: str, message: str) -> None:
    (tmp_path / "balita.toml").write_text(f"[desk]\n{setting}\n")
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines")
    assert message in cli.fails(["fetch"]).stderr


def test_a_feed_repeating_a_title_makes_one_story_with_its_repeats_noted(feed_site: FeedSite, cli: Cli) -> None:
    """A channel's feed that lists one headline many times (re-uploads, a live stream's parts)."""
    title = "Mga mamimili sa Dapitan Market at Quiapo, dagsa na | TV Patrol"
    items = [(f"v{n}", title, f"Upload {n} of the report.", START + timedelta(minutes=n)) for n in range(40)]
    items.append(("other", "Mga santo tampok sa ecclesiastical art exhibit | TV Patrol", "Betis.", START))
    add_source(cli, "ABS-CBN News", feed_site.put("/abs.xml", rss("ABS-CBN News", items), '"a"'))
    gma = [("g1", "Mga mamimili, dagsa na sa Dapitan Market at Quiapo", "Dagsa ang mamimili.", START)]
    add_source(cli, "GMA News", feed_site.put("/gma.xml", rss("GMA News", gma), '"g"'))

    runs = {run["source"]: run for run in json.loads(cli.ok("fetch", "--explain", "--format", "json").stdout)}
    abs_run = runs["ABS-CBN News"]
    assert (abs_run["created"], abs_run["duplicates"]) == (2, 39)
    decisions = [entry["decision"] for entry in abs_run["explain"]]
    assert decisions.count("duplicate") == 39 and decisions.count("new story") == 2

    stories = {story["title"]: story for story in articles(cli)}
    story = stories[title]
    repeats = [item for item in story["coverage"] if item["source_name"] == "ABS-CBN News"]
    assert sorted(item["url"] for item in repeats) == sorted(
        f"https://abs-cbn-news.example.ph/v{n}" for n in range(1, 40)
    )
    shown = cli.ok("show", str(story["id"])).stdout
    assert "Also reported by: ABS-CBN" not in shown
    clusters = cli.ok("list", "--clusters").stdout.splitlines()[1:]
    assert all("ABS-CBN News" not in row.split("\t")[5] for row in clusters)
    waiting = {item["id"]: item for item in cli.json("review", "--format", "json")}
    assert "ABS-CBN News" not in waiting[story["id"]]["also_reported_by"]

    feed_site.put("/abs.xml", rss("ABS-CBN News", items), '"b"')  # served again: every repeat is known now
    again = json.loads(cli.ok("fetch", "--format", "json", "abs-cbn-news").stdout)[0]
    assert (again["created"], again["duplicates"], again["skipped"]) == (0, 0, 41)
