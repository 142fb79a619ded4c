"""list and search: every filter, sort, window and output format, on a real database."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.helpers.cli import Cli
from tests.helpers.records import Stories


@pytest.fixture
def stories(cli: Cli) -> Stories:
    """Five articles that differ in every way the filters can tell apart."""
    ids = {
        "vietnam": cli.new(
            "Philippines and Vietnam hold coast guard talks", "--body", "Talks in Hanoi.",
            "--section", "Politics", "--tag", "Security", "--tag", "Vietnam",
            "--author", "Maria Santos", "--source-name", "The Philippine Star",
            "--source-url", "https://www.philstar.com/headlines/2026/talks",
            "--status", "published", "--at", "2026-01-10 09:00",
        ),
        "budget": cli.new(
            "Senado, inaprubahan ang badyet", "--body", "Inaprubahan ng Senado.", "--lang", "fil",
            "--section", "Politics", "--tag", "Senado", "--author", "Jose Dela Cruz",
            "--source-name", "Rappler", "--source-url", "https://RAPPLER.com/nation/budget",
            "--status", "published", "--at", "2026-02-15 09:00",
        ),
        "peso": cli.new(
            "Peso firms as inflation eases", "--body", "The peso closed higher.",
            "--section", "Economy", "--tag", "Peso", "--tag", "Security",
            "--author", "Ana Reyes", "--author", "Maria Santos",
            "--status", "published", "--at", "2026-03-20 09:00",
        ),
        "draft": cli.new(
            "Typhoon season outlook", "--body", "PAGASA expects storms.", "--section", "Economy",
        ),
        "review": cli.new(
            "Food park in Parañaque", "--body", "Dishes from Mindanao.", "--status", "review",
            "--tag", "Food", "--lang", "fil",
        ),
    }  # fmt: skip
    return ids


def ids_of(cli: Cli, *args: str) -> list[int]:
    out = cli.ok("list", *args, "--format", "ids").stdout.split()
    return [int(value) for value in out]


def rows(cli: Cli, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = cli.json("list", *args, "--format", "json")
    return data


FILTER_CASES = [
    (["--status", "published"], ["vietnam", "budget", "peso"]),
    (["--status", "draft", "--status", "review"], ["draft", "review"]),
    (["--section", "politics"], ["vietnam", "budget"]),
    (["--section", "Economy", "--section", "Politics"], ["vietnam", "budget", "peso", "draft"]),
    (["--tag", "security"], ["vietnam", "peso"]),
    (["--tag", "Security", "--tag", "VIETNAM"], ["vietnam"]),
    (["--tag", "Security", "--tag", "Food"], []),
    (["--author", "maria santos"], ["vietnam", "peso"]),
    (["--lang", "fil"], ["budget", "review"]),
    (["--source", "the philippine star"], ["vietnam"]),
    (["--source", "PhilStar.com"], ["vietnam"]),
    (["--source", "rappler.com"], ["budget"]),
    (["--source", "RAPPLER"], ["budget"]),
    (["--since", "2026-02-01"], ["budget", "peso"]),
    (["--until", "2026-02-15 09:00"], ["vietnam"]),
    (["--since", "2026-02-15", "--until", "2026-02-16"], ["budget"]),
    (["--since", "2000-01-01", "--date-field", "created"], ["vietnam", "budget", "peso", "draft", "review"]),
    (["--until", "2000-01-01", "--date-field", "updated"], []),
    (["--query", "peso"], ["peso"]),
    (["--query", "Mindanao"], ["review"]),
]


@pytest.mark.slow
def test_filters(cli: Cli, stories: Stories) -> None:
    for args, expected in FILTER_CASES:
        found = sorted(ids_of(cli, *args))
        assert found == sorted(stories[name] for name in expected), args


def test_since_reads_the_site_time_zone(cli: Cli, stories: Stories) -> None:
    # Published 2026-01-10 09:00 Manila = 01:00 UTC: on or after 09:00 Manila, not after 09:01.
    assert ids_of(cli, "--since", "2026-01-10 09:00", "--until", "2026-01-11") == [stories["vietnam"]]
    assert ids_of(cli, "--since", "2026-01-10 09:01", "--until", "2026-01-11") == []
    assert ids_of(cli, "--since", "2026-01-10T01:00:00Z", "--until", "2026-01-11") == [stories["vietnam"]]


def test_sort_limit_offset(cli: Cli, stories: Stories) -> None:
    by_title = [row["title"] for row in rows(cli, "--sort", "title")]
    assert by_title == sorted(by_title)
    newest = ids_of(cli, "--status", "published", "--sort", "-published")
    assert newest == [stories["peso"], stories["budget"], stories["vietnam"]]
    oldest = ids_of(cli, "--status", "published", "--sort", "published")
    assert oldest == newest[::-1]
    assert ids_of(cli, "--sort", "id", "--limit", "2") == [stories["vietnam"], stories["budget"]]
    assert ids_of(cli, "--sort", "id", "--limit", "2", "--offset", "2") == [
        stories["peso"],
        stories["draft"],
    ]
    assert ids_of(cli, "--sort", "id", "--offset", "10") == []


@pytest.mark.slow
def test_every_format_carries_the_same_rows(cli: Cli, stories: Stories) -> None:
    fields = "id,title,tags,authors,section,source_name,url,published_at"
    args = ("list", "--sort", "id", "--fields", fields)
    as_json = cli.json(*args, "--format", "json")
    as_jsonl = [json.loads(line) for line in cli.ok(*args, "--format", "jsonl").stdout.splitlines()]
    assert as_json == as_jsonl
    assert len(as_json) == 5 and list(as_json[0]) == fields.split(",")
    first = as_json[0]
    assert first["tags"] == ["Security", "Vietnam"] and first["authors"] == ["Maria Santos"]
    assert first["section"] == "Politics" and first["source_name"] == "The Philippine Star"
    assert first["url"] == "https://balita.example.ph/articles/philippines-and-vietnam-hold-coast-guard-talks/"
    assert first["published_at"] == "2026-01-10T01:00:00+00:00"
    assert as_json[2]["authors"] == ["Ana Reyes", "Maria Santos"]

    table = list(csv.DictReader(io.StringIO(cli.ok(*args, "--format", "csv").stdout)))
    assert [int(row["id"]) for row in table] == [row["id"] for row in as_json]
    assert json.loads(table[0]["tags"]) == ["Security", "Vietnam"]  # lists are JSON arrays in a cell
    assert table[3]["section"] == "Economy" and table[4]["section"] == ""

    assert cli.ok("list", "--format", "count").stdout == "5\n"
    assert cli.ok("list", "--status", "published", "--format", "count").stdout == "3\n"
    ids = cli.ok("list", "--sort", "id", "--format", "ids").stdout
    assert ids == " ".join(str(row["id"]) for row in as_json) + "\n"


def test_piped_table_is_plain_tsv(cli: Cli, stories: Stories) -> None:
    out = cli.ok("list", "--sort", "id", "--fields", "id,title,tags,published_at").stdout
    lines = out.splitlines()
    assert lines[0] == "id\ttitle\ttags\tpublished_at"
    assert lines[1] == (
        f"{stories['vietnam']}\tPhilippines and Vietnam hold coast guard talks\tSecurity; Vietnam\t"
        "2026-01-10 09:00 +0800"
    )
    assert len(lines) == 6 and all(line.count("\t") == 3 for line in lines)
    assert "\x1b" not in out and "│" not in out and "─" not in out


def test_list_usage_and_input_errors(cli: Cli, stories: Stories) -> None:
    assert "unknown field" in cli.fails(["list", "--fields", "id,nope"], 2).stderr
    assert "unknown sort key" in cli.fails(["list", "--sort", "popularity"], 2).stderr
    assert "unknown date field" in cli.fails(["list", "--date-field", "birthday"], 2).stderr
    cli.fails(["list", "--format", "xml"], 2)
    cli.fails(["list", "--status", "deleted"], 2)
    bad_date = cli.fails(["list", "--since", "last blue moon"])
    assert bad_date.stderr.startswith("error: cannot read date 'last blue moon'")
    assert len(bad_date.stderr.splitlines()) == 1
    assert "out of range" in cli.fails(["list", "--until", "0001-01-01"]).stderr


def test_empty_database_lists_nothing(cli: Cli) -> None:
    assert cli.json("list", "--format", "json") == []
    assert cli.ok("list", "--format", "ids").stdout == ""
    assert cli.ok("list").stdout == "id\tstatus\tpublished_at\tsection\ttitle\n"


# ---------------------------------------------------------------- search


def test_search_ranks_title_matches_first(cli: Cli) -> None:
    in_body = cli.new("Weather bulletin", "--body", "A typhoon may enter the area on Friday.")
    in_title = cli.new("Typhoon Ompong nears Luzon", "--body", "Residents prepare.")
    cli.new("Unrelated", "--body", "Nothing about weather here.")
    hits = cli.json("search", "typhoon", "--format", "json", "--fields", "id,rank,snippet")
    assert [hit["id"] for hit in hits] == [in_title, in_body]
    assert "<mark>" in hits[0]["snippet"] and "</mark>" in hits[0]["snippet"]
    assert "<mark>typhoon</mark>" in hits[1]["snippet"].lower()
    assert hits[0]["rank"] >= hits[1]["rank"]


@pytest.mark.slow
def test_search_formats_filters_and_errors(cli: Cli, stories: Stories) -> None:
    assert cli.ok("search", "Senado", "--format", "ids").stdout == f"{stories['budget']}\n"
    # Every word must match, on either database; a trailing * matches a prefix.
    assert cli.ok("search", "peso talks", "--format", "count").stdout == "0\n"
    assert cli.ok("search", "coast guard", "--format", "ids").stdout == f"{stories['vietnam']}\n"
    assert cli.ok("search", "infla*", "--format", "ids").stdout == f"{stories['peso']}\n"
    lines = cli.ok("search", "Parañaque", "--format", "jsonl", "--fields", "id,snippet").stdout
    assert [json.loads(line)["id"] for line in lines.splitlines()] == [stories["review"]]
    table = cli.ok("search", "peso").stdout.splitlines()
    assert table[0] == "id\tstatus\tpublished_at\ttitle\tsnippet"
    assert table[1].startswith(f"{stories['peso']}\tpublished\t2026-03-20 09:00 +0800\t")
    found = list(csv.DictReader(io.StringIO(cli.ok("search", "coast", "--format", "csv").stdout)))
    assert [int(row["id"]) for row in found] == [stories["vietnam"]]
    assert cli.ok("search", "coast", "--status", "draft", "--format", "ids").stdout == ""
    assert cli.ok("search", "Senado", "--lang", "en", "--format", "ids").stdout == ""
    assert cli.json("search", "nonexistentword", "--format", "json") == []
    assert "no words" in cli.fails(["search", "***"]).stderr
