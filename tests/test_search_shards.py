"""The site's search index in shards (``site/search.py``): how article ids are cut into shards,
that an edit makes again only the shards whose pages it touched, and that what a reader finds
in Chromium after a run of incremental builds is what a full build finds, query by query.

In the end-to-end tests the newest shard holds 2 pages at most (the site's, 128), so a dozen
stories make several shards."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from balita_cli.site import search
from balita_cli.site.search import IndexedPage, plan_shards
from tests.checkers import browser, serve_directory, site_search
from tests.helpers.cli import Cli
from tests.helpers.site import retract

# (headline, language, body): a word of each story's own, and words many stories share.
STORIES = [
    ("Typhoon nears Samar", "en", "The typhoon brings rain and floods to Samar; fishermen stay home."),
    ("Bagyo papalapit sa Samar", "fil", "Malakas na ulan at baha ang dala ng bagyo sa Samar at Leyte."),
    ("Peso weakens on inflation data", "en", "The peso fell as inflation rose; rice prices led the rise."),
    ("Presyo ng bigas tumaas", "fil", "Tumaas ang presyo ng bigas sa palengke dahil sa bagyo at ulan."),
    ("Floods close Marikina schools", "en", "Floods from the typhoon closed schools in Marikina; rain continues."),
    ("Baha sa Marikina", "fil", "Lumikas ang mga pamilya sa Marikina dahil sa baha at ulan."),
    ("Central bank holds rates", "en", "The central bank held rates as inflation eased and the peso steadied."),
    ("Palengke binaha", "fil", "Binaha ang palengke ng Malabon; nagsara ang mga tindahan ng isda."),
    ("Ferry trips cancelled", "en", "Ferry trips were cancelled as the typhoon neared; ports stay shut."),
    ("Klase suspendido", "fil", "Suspendido ang klase sa Maynila dahil sa bagyo; walang pasok bukas."),
    ("Rice imports rise", "en", "Rice imports rose to steady prices before the typhoon season."),
    ("Lindol sa Davao", "fil", "Isang lindol ang yumanig sa Davao; walang nasaktan ayon sa Phivolcs."),
]
START = datetime(2024, 1, 1, tzinfo=UTC)
QUERIES = ["typhoon", "peso", "inflation", "floods", "rice", "bagyo", "baha", "palengke", "ulan", "bigas",
           "lindol", "Marikina"]  # fmt: skip


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "MOST_RECENT", 2)


def pages(*ids: int, published: Callable[[int], datetime] | None = None) -> list[IndexedPage]:
    """Pages of these article ids, published a minute apart in id order unless ``published`` says."""
    moment = published or (lambda article_id: START + timedelta(minutes=article_id))
    return [
        IndexedPage(f"articles/a{article_id}/index.html", article_id, moment(article_id).isoformat(), "x")
        for article_id in ids
    ]


def two_years(size: int) -> list[IndexedPage]:
    """``size`` stories published at random over two years, out of id order (an imported archive)."""
    spread = random.Random(size)
    times = {article_id: START + timedelta(seconds=spread.randrange(730 * 86_400)) for article_id in range(size)}
    return pages(*range(size), published=times.__getitem__)


def ids_of(shards: dict[str, list[IndexedPage]]) -> dict[str, list[int]]:
    return {name: [page.article_id for page in members] for name, members in shards.items()}


# ---------------------------------------------------------------- how the archive is cut


@pytest.mark.parametrize("size", [0, 1, 128, 129, 1_000, 10_000])
def test_every_page_lies_in_one_shard_in_order_of_publication(size: int) -> None:
    archive = two_years(size)
    shards = plan_shards(archive)
    in_order = [page for members in shards.values() for page in members]
    assert in_order == sorted(archive, key=lambda page: (page.published, page.article_id))
    assert plan_shards(list(reversed(archive))) == shards  # the order pages come in is no matter


@pytest.mark.parametrize("size", [1_000, 10_000, 100_000])
def test_the_newest_stories_lie_in_a_small_shard_and_the_shards_are_few(size: int) -> None:
    shards = list(plan_shards(two_years(size)).values())
    newest = max(page.published for members in shards for page in members)
    assert shards[-1][-1].published == newest and len(shards[-1]) <= search.MOST_RECENT
    assert len(shards) <= 16  # what the reader's browser merges
    assert all(len(members) <= search.LARGEST for members in shards)  # an old story's edit is bounded too


def test_a_story_edited_removed_or_added_moves_no_other_story() -> None:
    archive = two_years(5_000)
    before = ids_of(plan_shards(archive))
    oldest, members = next(iter(before.items()))
    gone = members[len(members) // 2]  # taken off the site
    after = ids_of(plan_shards([page for page in archive if page.article_id != gone]))
    assert after == {**before, oldest: [article_id for article_id in members if article_id != gone]}
    newest, recent = list(before.items())[-1]
    latest = max(page.published for page in archive)
    if len(recent) < search.MOST_RECENT:  # one more story a minute later joins the newest shard
        later = datetime.fromisoformat(latest) + timedelta(minutes=1)
        grown = ids_of(plan_shards([*archive, *pages(5_000, published=lambda _id: later)]))
        assert grown == {**before, newest: [*recent, 5_000]}


# ---------------------------------------------------------------- builds


def build(cli: Cli, output: Path, *args: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(cli.ok("build", "-o", str(output), "--format", "json", *args).stdout)
    if summary["search"]["problem"]:
        pytest.skip(summary["search"]["problem"])
    return summary["search"]  # type: ignore[no-any-return]


def publish(cli: Cli, order: int, title: str, body: str, *, lang: str = "en") -> int:
    """A story published ``order`` times 36 hours after the first: each story in its own time."""
    clock = (datetime(2026, 11, 1, 8) + timedelta(hours=36 * order)).strftime("%Y-%m-%dT%H:%M")
    command = ("--clock", clock, "new", title, "--status", "published", "--lang", lang, "--body", body, "--porcelain")
    return int(cli.ok(*command).stdout.strip())


@pytest.fixture
def newsroom(cli: Cli, tmp_path: Path, small_shards: None) -> Iterator[list[int]]:
    cli.ok("init", "--database", cli.db_url)
    yield [publish(cli, order, title, body, lang=lang) for order, (title, lang, body) in enumerate(STORIES)]


def shard_names(output: Path) -> list[str]:
    listing = json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return [shard["path"].rstrip("/") for shard in listing["shards"]]


def found(output: Path, queries: list[str]) -> dict[str, list[str]]:
    with browser() as chromium, serve_directory(output) as base:
        return {query: site_search(chromium, base, query) for query in queries}


@pytest.mark.slow
def test_an_edit_makes_again_only_the_shard_of_the_page_it_changed(
    cli: Cli, tmp_path: Path, newsroom: list[int]
) -> None:
    output = tmp_path / "public"
    first = build(cli, output)
    assert first["shards"] == first["shards_made"] == len(shard_names(output)) >= 3
    assert build(cli, output)["reused"]
    lead = newsroom[-1]  # the newest story: the front page's lead
    cli.ok("edit", str(lead), "--title", "Malakas na lindol sa Davao")
    edited = build(cli, output)  # its neighbours' pages show the new headline too, outside what is indexed
    assert edited["shards_made"] == 1 and edited["pages_indexed"] <= 2
    cli.ok("edit", str(newsroom[2]), "--body", "The peso recovered as remittances rose.")
    old = build(cli, output)
    assert old["shards_made"] == 1 and old["pages_indexed"] < len(newsroom)


@pytest.mark.slow
def test_searches_after_incremental_builds_find_what_a_full_build_finds(
    cli: Cli, tmp_path: Path, newsroom: list[int]
) -> None:
    output, clean = tmp_path / "public", tmp_path / "clean"
    build(cli, output)
    cli.ok("edit", str(newsroom[-1]), "--title", "Malakas na lindol sa Davao")  # the lead's headline
    build(cli, output)
    cli.ok("edit", str(newsroom[2]), "--body", "The peso recovered as remittances rose.")
    build(cli, output)
    cli.ok("unpublish", str(newsroom[4]))  # "Floods close Marikina schools"
    build(cli, output)
    cli.ok("delete", str(newsroom[7]), "--yes")  # "Palengke binaha"
    build(cli, output)
    retract(cli.db_url, str(newsroom[9]), "Mali ang petsa.")  # "Klase suspendido": its body is gone
    build(cli, output)
    publish(cli, len(STORIES), "Habagat brings rain", "The habagat brings rain to Luzon.")
    build(cli, output)
    publish(cli, len(STORIES) + 1, "Ulan sa Luzon", "Ulan at baha sa Luzon.", lang="fil")
    build(cli, output)
    build(cli, clean, "--clean")
    assert shard_names(clean) == shard_names(output)
    after_edits = found(output, [*QUERIES, "remittances", "habagat", "Malabon", "pasok"])
    assert after_edits == found(clean, [*QUERIES, "remittances", "habagat", "Malabon", "pasok"])
    assert after_edits["lindol"] == ["Malakas na lindol sa Davao"]
    assert after_edits["remittances"] == ["Peso weakens on inflation data"]
    assert "Peso weakens on inflation data" not in after_edits["rice"]
    assert "Floods close Marikina schools" not in after_edits["floods"] and after_edits["floods"]
    assert after_edits["Malabon"] == [] and "Palengke binaha" not in after_edits["palengke"]
    assert after_edits["pasok"] == []  # the retracted story's body
    assert after_edits["habagat"] == ["Habagat brings rain"]
    # Stories weeks later: the spans the newest story has left become larger shards.
    before = shard_names(output)
    for order, title in enumerate(("Ulan pa rin", "Rain again"), start=len(STORIES) + 30):
        publish(cli, order, title, "Ulan, rain, baha.")
    build(cli, output)
    assert shard_names(output) != before
    build(cli, clean, "--clean")
    assert shard_names(clean) == shard_names(output)
    assert found(output, QUERIES) == found(clean, QUERIES)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["remove", "truncate"])
def test_a_damaged_or_missing_shard_file_is_made_again(
    cli: Cli, tmp_path: Path, newsroom: list[int], damage: str
) -> None:
    output = tmp_path / "public"
    build(cli, output)
    oldest = shard_names(output)[0]
    fragment = sorted((output / "pagefind" / oldest / "fragment").iterdir())[0]
    if damage == "remove":
        fragment.unlink()
    else:
        fragment.write_bytes(fragment.read_bytes()[:5])
    again = build(cli, output)  # nothing else changed
    assert again["shards_made"] == 1 and shard_names(output)[0] == oldest
    assert fragment.is_file() and len(fragment.read_bytes()) > 5
    assert found(output, ["fishermen"]) == {"fishermen": ["Typhoon nears Samar"]}  # the oldest story
