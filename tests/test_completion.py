"""Shell completion, driven through Typer's completion environment variables as a shell would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.cli import Cli
from tests.helpers.records import Stories


def complete(cli: Cli, words: str) -> list[str]:
    """What bash would offer for the last word of ``words``."""
    parts = words.split(" ")
    env = {
        **os.environ,
        "BALITA_DATABASE_URL": cli.db_url,
        "_BALITA_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
    }
    result = subprocess.run(
        [sys.executable, "-m", "balita_cli"], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.split()


@pytest.fixture
def stories(cli: Cli) -> Stories:
    """Three stories, each with its own section or tag and author; the middle one edited last."""
    made = {
        "older": cli.new(
            "Older story on the budget", "--section", "Economy", "--tag", "Budget", "--author", "Ana Reyes"
        ),
        "newest": cli.new(
            "Newest story on the Senate", "--section", "Politics", "--tag", "Senate", "--author", "Maria Santos"
        ),
        "middle": cli.new("Middle story", "--tag", "Manila Bay", "--author", "Mark Villanueva"),
    }
    cli.ok("edit", "middle-story", "--summary", "touched last")
    return made


@pytest.mark.usefixtures("stories")
def test_article_slugs_most_recent_first(cli: Cli) -> None:
    assert complete(cli, "balita edit ") == [
        "middle-story",
        "newest-story-on-the-senate",
        "older-story-on-the-budget",
    ]
    assert complete(cli, "balita show ne") == ["newest-story-on-the-senate"]


@pytest.mark.usefixtures("stories")
def test_trashed_articles_are_not_offered(cli: Cli) -> None:
    cli.ok("delete", "middle-story", "--yes")
    assert "middle-story" not in complete(cli, "balita publish ")


@pytest.mark.usefixtures("stories")
def test_tags_sections_authors_complete_as_slugs(cli: Cli) -> None:
    assert complete(cli, "balita list --tag m") == ["manila-bay"]
    assert complete(cli, "balita list --section ") == ["economy", "politics"]
    assert complete(cli, "balita list --author ma") == ["maria-santos", "mark-villanueva"]
    # A completed slug is accepted where the name is.
    assert cli.ok("list", "--tag", "manila-bay", "--format", "ids").stdout.strip() != ""


@pytest.mark.usefixtures("stories")
def test_statuses_complete(cli: Cli) -> None:
    assert complete(cli, "balita list --status p") == ["published"]


def test_completion_never_fails_without_a_database(cli: Cli) -> None:
    cli.db_url = "sqlite:////nonexistent/dir/balita.db"
    assert complete(cli, "balita edit ") == []


def test_export_formats_complete(cli: Cli) -> None:
    assert complete(cli, "balita export n") == ["ninjs", "news-sitemap"]
    assert "rss" in complete(cli, "balita export ")


@pytest.mark.usefixtures("stories")
def test_names_complete_whatever_the_case_typed(cli: Cli) -> None:
    # Shells keep only what begins with the text typed: a capital gets the name, never nothing.
    assert complete(cli, "balita list --tag Man") == ["Manila-bay"]
    assert complete(cli, "balita list --tag MANILA") == ["MANILA-bay"]
    assert complete(cli, "balita list --section Pol") == ["Politics"]
    assert complete(cli, "balita list --section ECON") == ["ECONomy"]
    assert complete(cli, "balita new T --author Ma") == ["Maria-santos", "Mark-villanueva"]
    assert complete(cli, "balita edit middle-story --tag man") == ["manila-bay"]
    assert complete(cli, "balita tag add middle-story Man") == ["Manila-bay"]
    # What is offered finds the same name, never a new one.
    for offered in ("Manila-bay", "MANILA-bay"):
        assert cli.ok("list", "--tag", offered, "--format", "ids").stdout == "3\n"
    cli.ok("edit", "1", "--add-tag", "Manila-bay", "--section", "ECONomy")
    assert cli.json("show", "1", "--format", "json")["tags"] == ["Budget", "Manila Bay"]
    assert [term["name"] for term in cli.json("tag", "list", "--format", "json")] == [
        "Budget",
        "Manila Bay",
        "Senate",
    ]
    assert cli.json("show", "1", "--format", "json")["section"] == "Economy"


def test_source_names_complete_whatever_the_case_typed(cli: Cli) -> None:
    cli.ok("source", "add", "GMA News", "https://data.gmanetwork.com/gno/rss/news/feed.xml")
    assert complete(cli, "balita source show GMA") == ["GMA-news"]
    assert complete(cli, "balita import feed x.xml --source g") == ["gma-news"]
    assert cli.json("source", "show", "GMA-news", "--format", "json")["name"] == "GMA News"


@pytest.mark.usefixtures("stories")
def test_zsh_is_offered_the_name_beside_the_value(cli: Cli) -> None:
    env = {
        **os.environ,
        "BALITA_DATABASE_URL": cli.db_url,
        "_BALITA_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": "balita list --tag Man",
    }
    result = subprocess.run(
        [sys.executable, "-m", "balita_cli"], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert '"Manila-bay":"Manila Bay"' in result.stdout
