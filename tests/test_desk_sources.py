"""``balita source add|list|show|edit|pause|resume|remove``: the outlets the desk follows.

Every flag a person types is hostile until checked: names, URLs, intervals, counts, policies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from tests.helpers.cli import Cli

GMA = "https://data.gmanetwork.com/gno/rss/news/feed.xml"


def show(cli: Cli, ref: str) -> dict[str, Any]:
    return dict(cli.json("source", "show", ref, "--format", "json"))


def test_add_with_every_setting_and_show_it(cli: Cli) -> None:
    cli.ok("source", "add", "GMA News", GMA, "--section", "Nation", "--lang", "en", "--tag", "Aggregated",
           "--tag", "GMA", "--excerpt-words", "80", "--publish", "draft", "--every", "2h")  # fmt: skip
    source = show(cli, "gma-news")
    assert {key: source[key] for key in ("name", "slug", "url", "section", "language", "tags", "excerpt_words",
                                        "full_text", "publish", "every", "every_minutes", "allow_private",
                                        "paused", "failures", "next_due_at")} == {  # fmt: skip
        "name": "GMA News", "slug": "gma-news", "url": GMA, "section": "Nation", "language": "en",
        "tags": ["Aggregated", "GMA"], "excerpt_words": 80, "full_text": False, "publish": "draft", "every": "2h",
        "every_minutes": 120, "allow_private": False, "paused": False, "failures": 0, "next_due_at": None,
    }  # fmt: skip
    text = cli.ok("source", "show", "GMA NEWS").stdout  # a name, whatever its case
    assert "keeps: excerpt of 80 words" in text and f"url: {GMA}" in text and "next: due" in text


def test_defaults_are_the_polite_ones(cli: Cli) -> None:
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines")
    source = show(cli, "#1")
    assert (source["excerpt_words"], source["full_text"], source["publish"], source["every"]) == (120, False, "review",
                                                                                                  "15m")  # fmt: skip


def test_list_shows_each_outlets_state(cli: Cli) -> None:
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines")
    cli.ok("source", "add", "GMA News", GMA, "--every", "30m")
    cli.ok("source", "pause", "philstar")
    lines = cli.ok("source", "list").stdout.splitlines()
    assert lines[0].split("\t") == ["name", "every", "publish", "last fetch", "last new", "week", "next", "last error"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert rows["Philstar"][1:7] == ["15m", "review", "never", "never", "0", "paused"]
    assert rows["GMA News"][1:7] == ["30m", "review", "never", "never", "0", "due"]
    listed = cli.json("source", "list", "--format", "json")
    assert [item["name"] for item in listed] == ["GMA News", "Philstar"]
    assert {"stories_week", "related_week", "last_error", "next_due_at", "etag"} <= set(listed[0])
    jsonl = cli.ok("source", "list", "--format", "jsonl").stdout.splitlines()
    assert len(jsonl) == 2


def test_edit_changes_what_is_given_and_a_new_url_starts_over(cli: Cli) -> None:
    cli.ok("source", "add", "GMA News", GMA, "--section", "Nation", "--tag", "GMA")
    cli.ok("source", "edit", "gma-news", "--name", "GMA News Online", "--excerpt-words", "60", "--every", "1d",
           "--section", "", "--no-tags", "--full-text", "--publish", "auto")  # fmt: skip
    source = show(cli, "gma-news-online")
    assert (source["name"], source["excerpt_words"], source["every"], source["section"], source["tags"]) == (
        "GMA News Online", 60, "1d", "", [])  # fmt: skip
    assert (source["full_text"], source["publish"]) == (True, "auto")
    cli.ok("source", "edit", "gma-news-online", "--excerpt")
    assert show(cli, "gma-news-online")["full_text"] is False

    url = "https://www.gmanetwork.com/news/rss/news/"
    cli.ok("source", "edit", "gma-news-online", "--url", url)
    assert (show(cli, "gma-news-online")["url"], show(cli, "gma-news-online")["etag"]) == (url, "")
    assert "nothing to change" in cli.fails(["source", "edit", "gma-news-online"]).stderr
    assert (
        "--no-tags contradict" in cli.fails(["source", "edit", "gma-news-online", "--tag", "A", "--no-tags"], 2).stderr
    )


def test_names_are_unique_whatever_their_case(cli: Cli) -> None:
    cli.ok("source", "add", "GMA News", GMA)
    assert "there is a source called 'GMA News' already" in cli.fails(["source", "add", "gma news", GMA]).stderr
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines")
    assert "already" in cli.fails(["source", "edit", "philstar", "--name", "GMA-News"]).stderr


def test_pause_resume_and_remove_keep_the_stories(cli: Cli) -> None:
    cli.ok("source", "add", "GMA News", GMA)
    cli.ok("source", "pause", "gma-news")
    assert show(cli, "gma-news")["paused"] is True
    cli.ok("source", "resume", "gma-news")
    assert show(cli, "gma-news")["paused"] is False

    assert "add --yes" in cli.fails(["source", "remove", "gma-news"], 2).stderr
    removed = cli.ok("source", "remove", "gma-news", "--yes")
    assert "Removed source GMA News" in removed.stderr
    assert "no source 'gma-news'" in cli.fails(["source", "show", "gma-news"]).stderr
    assert cli.json("source", "list", "--format", "json") == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["", GMA], "source name cannot be empty", 1),
        (["Bad\x1b[31mName", GMA], "control character", 1),
        (["N" * 201, GMA], "longer than 200 characters", 1),
        (["!!!", GMA], "has no letters or digits", 1),
        (["#12", GMA], "reads as a source id", 1),
        (["X", "javascript:alert(1)"], "must be an http(s) URL", 1),
        (["X", "ftp://example.ph/feed.xml"], "must be an http(s) URL", 1),
        (["X", "file:///etc/passwd"], "must be an http(s) URL", 1),
        (["X", "https://user:secret@example.ph/feed"], "user name or password is not supported", 1),
        (["X", "http://10.0.0.5/feed"], "10.0.0.5 is a private address", 1),
        (["X", "http://[::1]/feed"], "::1 is a loopback address", 1),
        (["X", "http://0.0.0.0/feed", "--allow-private"], "unspecified address", 1),
        (["X", GMA, "--every", "1m"], "every 5 minutes at most", 1),
        (["X", GMA, "--every", "8d"], "every 7 days at least", 1),
        (["X", GMA, "--every", "soon"], "cannot read interval 'soon'", 1),
        (["X", GMA, "--every", "9" * 40], "cannot read interval", 1),
        (["X", GMA, "--excerpt-words", "0"], "an excerpt keeps 10 to 1000 words, not 0", 1),
        (["X", GMA, "--excerpt-words", "9" * 30], "an excerpt keeps 10 to 1000 words", 1),
        (["X", GMA, "--publish", "sometimes"], "--publish is one of review, draft, auto", 1),
        (["X", GMA, "--lang", "not a tag"], "is not a BCP 47 tag", 1),
        (["X", GMA, "--tag", "a\x00b"], "control character", 1),
        (["X", GMA, "--section", "s" * 300], "longer than 200 characters", 1),
        (["X", GMA, "--excerpt-words", "many"], "'many' is not a valid int", 2),
    ],
)
def test_hostile_settings_are_one_clear_error(cli: Cli, args: list[str], message: str, code: int) -> None:
    failed = cli.fails(["source", "add", *args], code)
    assert message in failed.stderr, failed.stderr
    assert cli.json("source", "list", "--format", "json") == []


def test_an_unknown_source_is_one_error_everywhere(cli: Cli) -> None:
    for command in (["show", "x"], ["edit", "x", "--every", "1h"], ["pause", "x"], ["resume", "x"],
                    ["remove", "x", "--yes"], ["show", "#99999999999999999999999"]):  # fmt: skip
        assert "no source" in cli.fails(["source", *command]).stderr


def test_source_names_complete(cli: Cli) -> None:
    cli.ok("source", "add", "GMA News", GMA)
    cli.ok("source", "add", "Philstar", "https://www.philstar.com/rss/headlines")
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "_BALITA_COMPLETE": "complete_bash",
           "COMP_WORDS": "balita source show g", "COMP_CWORD": "3"}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "balita_cli"], env=env, capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    assert result.stdout.split() == ["gma-news"]
    env.update(COMP_WORDS="balita fetch ", COMP_CWORD="2")
    result = subprocess.run([sys.executable, "-m", "balita_cli"], env=env, capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    assert result.stdout.split() == ["gma-news", "philstar"]


def closed_port_url(path: str) -> str:
    """A URL on 127.0.0.1 where nothing listens: a fetch fails at once with a real error."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/{path}"


def terminal_list(cli: Cli, width: int) -> list[str]:
    """``source list`` as a terminal of ``width`` columns shows it."""
    import io

    from balita_cli import console

    screen = console.make_console(record=True, force_terminal=True, width=width, file=io.StringIO())
    with console.capture(screen):
        cli.ok("source", "list")
    return screen.export_text().splitlines()


def test_list_fits_an_80_column_terminal_and_shows_every_error_whole(cli: Cli) -> None:
    for name in ("Philippine Daily Inquirer", "GMA News Online", "Rappler"):
        cli.ok("source", "add", name, closed_port_url(f"{name.split()[0].lower()}/feed.xml"), "--allow-private")
    assert cli("fetch").exit_code == 1  # every one failed, each with its error kept
    errors = {row["name"]: row["last_error"] for row in cli.json("source", "list", "--format", "json")}
    assert all("cannot connect" in error for error in errors.values())

    lines = terminal_list(cli, 80)
    assert max(len(line) for line in lines) <= 80
    end = max(index for index, line in enumerate(lines) if line.startswith("└"))
    table, below = lines[: end + 1], " ".join(line.strip() for line in lines[end + 1 :])
    assert "…" not in "\n".join(table)  # no cell cut
    header = [cell.strip() for cell in table[1].strip("┃").split("┃")]
    assert header[0] == "name" and "next" in header and "last error" not in header
    assert sum("Philippine Daily Inquirer" in line for line in table) == 1
    # The errors the table had no room for, each whole below it, wrapped between words.
    for name, error in errors.items():
        assert f"{name} — last error: {error}" in below

    wide = terminal_list(cli, 250)
    assert "last error" in wide[1] and "— last error:" not in "\n".join(wide)
    assert all(any(error in line for line in wide) for error in errors.values())
