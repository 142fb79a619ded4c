"""The site's search index in shards (``site/search.py``): how article ids are cut into shards,
that an edit makes again only the shards whose pages it touched, and that what a reader finds
in Chromium after a run of incremental builds is what a full build finds, query by query.

The end-to-end tests cut shards of 2 ids, 2 to a level (the site's are 256 and 8), so a dozen
stories make shards of three sizes and a few more make them merge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from balita_cli.site import search
from balita_cli.site.search import IndexedPage, plan_shards, shard_of
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
QUERIES = ["typhoon", "peso", "inflation", "floods", "rice", "bagyo", "baha", "palengke", "ulan", "bigas",
           "lindol", "Marikina"]  # fmt: skip


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "BLOCK", 2)
    monkeypatch.setattr(search, "FANOUT", 2)


def pages(*ids: int) -> list[IndexedPage]:
    return [IndexedPage(f"articles/a{article_id}/index.html", article_id, "x") for article_id in ids]


# ---------------------------------------------------------------- how ids are cut


@pytest.mark.parametrize("newest", [0, 1, 255, 256, 2047, 2048, 10_000, 16_383, 16_384, 100_000, 131_071])
def test_every_id_lies_in_one_aligned_shard_and_the_newest_in_a_small_one(newest: int) -> None:
    shards = {shard_of(article_id, newest) for article_id in range(newest + 1)}
    covered = sorted(article_id for start, size in shards for article_id in range(start, start + size))
    assert covered[: newest + 1] == list(range(newest + 1)) and len(covered) == len(set(covered))
    assert all(start % size == 0 for start, size in shards)
    assert shard_of(newest, newest)[1] == search.BLOCK  # today's stories: at most BLOCK pages to index
    levels = {size for _start, size in shards}
    assert len(shards) <= (search.FANOUT - 1) * len(levels) + 1  # few for the browser to merge


def test_the_archive_at_10k_and_100k_stories_is_a_dozen_shards() -> None:
    assert len(plan_shards(pages(*range(1, 10_001)))) == 12
    assert len(plan_shards(pages(*range(1, 100_001)))) == 13


def test_shards_follow_from_the_ids_alone_and_merge_as_the_archive_grows() -> None:
    before = plan_shards(pages(*range(1, 256)))
    assert list(before) == ["0-256"]
    grown = plan_shards(pages(*range(1, 258)))
    assert {name: len(members) for name, members in grown.items()} == {"0-256": 255, "256-256": 2}
    eight_blocks = plan_shards(pages(*range(1, 2048)))
    assert list(eight_blocks) == [f"{start}-256" for start in range(0, 2048, 256)]
    assert list(plan_shards(pages(*range(1, 2049)))) == ["0-2048", "2048-256"]  # 8 full blocks make one
    assert plan_shards(list(reversed(pages(*range(1, 300))))) == plan_shards(pages(*range(1, 300)))


# ---------------------------------------------------------------- builds


def build(cli: Cli, output: Path, *args: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(cli.ok("build", "-o", str(output), "--format", "json", *args).stdout)
    if summary["search"]["problem"]:
        pytest.skip(summary["search"]["problem"])
    return summary["search"]  # type: ignore[no-any-return]


@pytest.fixture
def newsroom(cli: Cli, tmp_path: Path, small_shards: None) -> Iterator[list[int]]:
    cli.ok("init", "--database", cli.db_url)
    yield [cli.new(title, "--status", "published", "--lang", lang, "--body", body) for title, lang, body in STORIES]


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
    assert first["shards"] == first["shards_made"] == len(shard_names(output)) == 3
    assert build(cli, output)["reused"]
    lead = newsroom[-1]  # the newest story: the front page's lead
    cli.ok("edit", str(lead), "--title", "Malakas na lindol sa Davao")
    edited = build(cli, output)  # its neighbours' pages show the new headline too, outside what is indexed
    assert (edited["shards_made"], edited["pages_indexed"]) == (1, 1)
    cli.ok("edit", str(newsroom[2]), "--body", "The peso recovered as remittances rose.")
    old = build(cli, output)
    assert (old["shards_made"], old["pages_indexed"]) == (1, 7)


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
    for title, body in [
        ("Habagat brings rain", "The habagat brings rain to Luzon."),
        ("Ulan sa Luzon", "Ulan at baha sa Luzon."),
    ]:
        cli.new(title, "--status", "published", "--body", body)
        build(cli, output)
    assert shard_names(output) == ["0-8", "8-4", "12-2", "14-2"]
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
    # Two more stories fill the first 16 ids: their four shards become one.
    for title in ("Ulan pa rin", "Rain again"):
        cli.new(title, "--status", "published", "--body", "Ulan, rain, baha.")
    merged = build(cli, output)
    assert shard_names(output) == ["0-16", "16-2"] and merged["shards_made"] == 2
    build(cli, clean, "--clean")
    assert found(output, QUERIES) == found(clean, QUERIES)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["remove", "truncate"])
def test_a_damaged_or_missing_shard_file_is_made_again(
    cli: Cli, tmp_path: Path, newsroom: list[int], damage: str
) -> None:
    output = tmp_path / "public"
    build(cli, output)
    fragment = sorted((output / "pagefind" / "8-4" / "fragment").iterdir())[0]
    if damage == "remove":
        fragment.unlink()
    else:
        fragment.write_bytes(fragment.read_bytes()[:5])
    cli.new("A story the build notices", "--status", "published", "--body", "News.")  # so the build runs
    again = build(cli, output)
    assert again["shards_made"] == 2  # the damaged one and the newest
    assert fragment.is_file() and len(fragment.read_bytes()) > 5
    assert found(output, ["Ferry"]) == {"Ferry": ["Ferry trips cancelled"]}
