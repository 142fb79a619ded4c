"""``balita review``: what came in since the desk last looked, and moving it on in one command."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.feed_server import FeedSite, add_source, articles, fetch_json, ph_news


def queue(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return list(cli.json("review", "--format", "json", *args))


@pytest.mark.slow
def test_review_lists_what_came_in_since_the_last_look_by_source_newest_first(feed_site: FeedSite, cli: Cli) -> None:
    ph_news(feed_site, cli)
    runs = fetch_json(cli)
    waiting = queue(cli, "--peek")
    assert len(waiting) == sum(len(run["ids"]) for run in runs.values()) == 37

    sources = [item["source"] for item in waiting]
    assert sources == sorted(sources, key=sources.index)  # each source's stories together
    for name in set(sources):
        mine = [item for item in waiting if item["source"] == name]
        assert [item["created_at"] for item in mine] == sorted((item["created_at"] for item in mine), reverse=True)
    clustered = {item["title"]: item for item in waiting if item["outlets"] > 1}
    assert clustered["Robredo wants stimulus package for MSMEs"]["also_reported_by"] == ["Philstar"]
    assert clustered["DOH logs 6,913 new COVID-19 infections, but three labs without data"]["outlets"] == 2

    plain = cli.ok("review", "--peek")
    assert plain.stdout.splitlines()[0].split("\t") == ["source", "id", "status", "came in", "outlets", "title"]
    assert "2 (Philstar)\tRobredo wants stimulus package for MSMEs" in plain.stdout
    assert "37 stories since" in plain.stderr

    assert len(queue(cli)) == 37  # this look moves the mark...
    assert queue(cli) == []  # ... so the next shows nothing new
    assert len(queue(cli, "--all")) == 37  # still waiting for a decision


@pytest.mark.slow
def test_the_mark_and_since_and_source(feed_site: FeedSite, cli: Cli) -> None:
    ph_news(feed_site, cli)
    fetch_json(cli)
    assert queue(cli, "--since", "in 1 hour", "--peek") == []
    only = queue(cli, "--peek", "--source", "abs-cbn-news", "--source", "Philstar")
    assert {item["source"] for item in only} == {"ABS-CBN News", "Philstar"} and len(only) == 14 + 9
    assert "no source 'Nowhere'" in cli.fails(["review", "--source", "Nowhere"]).stderr


@pytest.mark.slow
def test_accept_and_reject_move_many_stories_at_once(feed_site: FeedSite, cli: Cli) -> None:
    ph_news(feed_site, cli)
    fetch_json(cli)
    ids = [item["id"] for item in queue(cli) if item["source"] == "GMA News"]
    first, second, third, fourth = (str(number) for number in ids[:4])

    cli.ok("review", "accept", first, second, "--section", "Nation", "--publish")
    cli.ok("review", "accept", third)
    cli.ok("review", "reject", fourth, "-m", "not our beat")

    stories = {story["id"]: story for story in articles(cli, "--trash")} | {s["id"]: s for s in articles(cli)}
    assert [stories[int(n)]["status"] for n in (first, second, third)] == ["published", "published", "draft"]
    assert stories[int(first)]["section"] == "Nation" and stories[int(first)]["published_at"]
    assert stories[int(fourth)]["deleted_at"]
    history = cli.ok("history", fourth).stdout
    assert "rejected at review: not our beat" in history
    waiting = {item["id"] for item in queue(cli, "--all")}
    assert not {int(n) for n in (first, second, third, fourth)} & waiting

    # A rejected story does not come back with the next fetch, even when the feed changed.
    gma = feed_site.feeds["/gma.xml"]
    feed_site.put("/gma.xml", gma[0], '"v2"')
    run = fetch_json(cli, "gma-news")["GMA News"]
    assert (run["result"], run["created"], run["skipped"]) == ("fetched", 0, 15)


def test_accept_is_all_or_nothing(feed_site: FeedSite, cli: Cli) -> None:
    ph_news(feed_site, cli)
    fetch_json(cli)
    good = str(queue(cli)[0]["id"])
    assert "no article" in cli.fails(["review", "accept", good, "#99999"]).stderr
    assert articles(cli, "--status", "draft") == []
    assert "no article" in cli.fails(["review", "reject", "#99999999999999999999"]).stderr


def test_the_publish_policy_decides_where_stories_go(feed_site: FeedSite, cli: Cli) -> None:
    add_source(
        cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"), "--publish", "auto"
    )
    add_source(
        cli, "GMA News", feed_site.put_corpus("/gma.xml", "feeds", "ph-news", "gmanews.xml"), "--publish", "draft"
    )
    fetch_json(cli)
    by_source: dict[str, set[str]] = {}
    for story in articles(cli):
        by_source.setdefault(story["source_name"], set()).add(story["status"])
    assert by_source == {"Philstar": {"published"}, "GMA News": {"draft"}}
    assert queue(cli, "--all") == []
    published = articles(cli, "--status", "published")
    assert all(story["published_at"] for story in published)
    feed = json.loads(cli.ok("export", "jsonfeed").stdout)
    assert len(feed["items"]) == len(published)


def import_philstar(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    """Philstar's saved feed, imported as the desk's source Philstar: its stories wait for review."""
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines", "--section", "Nation", *extra)
    feed = str(corpora_path("feeds", "ph-news", "philstar.xml"))
    assert (
        json.loads(cli.ok("import", "feed", feed, "--source", "Philstar", "--format", "json").stdout)["created"] == 10
    )
    return queue(cli, "--all")


def test_import_feed_with_a_source_applies_its_credit_section_and_review_queue(cli: Cli) -> None:
    waiting = import_philstar(cli, "--tag", "Aggregated")
    assert len(waiting) == 10 and {item["source"] for item in waiting} == {"Philstar"}
    stories = articles(cli)
    assert {(s["status"], s["section"], s["source_name"]) for s in stories} == {("review", "Nation", "Philstar")}
    assert all("Aggregated" in s["tags"] for s in stories)


def test_import_feed_source_must_be_one_the_desk_follows(cli: Cli, tmp_path: Any) -> None:
    feed = str(corpora_path("feeds", "ph-news", "philstar.xml"))
    assert "no source 'Philstr'" in cli.fails(["import", "feed", feed, "--source", "Philstr"]).stderr
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines")
    both = cli.fails(["import", "feed", feed, "--source", "Philstar", "--source-name", "Philstar"], 2)
    assert both.stderr == "error: --source goes with import feed, and without --source-name\n"
    (tmp_path / "posts.jsonl").write_text('{"title": "A post"}\n', encoding="utf-8")
    cli.fails(["import", "jsonl", str(tmp_path / "posts.jsonl"), "--source", "Philstar"], 2)
    assert articles(cli) == []


def test_reject_refuses_a_story_readers_can_see_and_names_the_way_down(cli: Cli) -> None:
    waiting = [str(item["id"]) for item in import_philstar(cli)]
    published, scheduled, archived, draft = waiting[:4]
    cli.ok("review", "accept", published, archived, "--publish")
    cli.ok("archive", archived)
    cli.ok("review", "accept", scheduled, draft)
    cli.ok("publish", scheduled, "--at", "2099-01-01 08:00")
    before = {story["id"]: story for story in articles(cli)}

    refused = cli.fails(["review", "reject", published, "-m", "off-topic"])
    assert refused.stderr == (
        f"error: article {published} is published, not waiting for review; take it down with balita unpublish "
        f"{published} (back to draft) or balita retract {published} REASON (withdrawn with a public notice)\n"
    )
    assert "balita unpublish" in cli.fails(["review", "reject", scheduled]).stderr
    assert "balita delete" in cli.fails(["review", "reject", archived]).stderr
    # All or none: the draft named first is not rejected either.
    cli.fails(["review", "reject", draft, published])
    assert {story["id"]: story for story in articles(cli)} == before
    assert articles(cli, "--trash") == []

    cli.ok("review", "reject", draft, waiting[4], "-m", "not our beat")  # a draft, and one still in review
    assert {story["id"] for story in articles(cli, "--trash")} == {int(draft), int(waiting[4])}
