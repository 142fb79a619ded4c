"""Shell completion, driven through Typer's completion environment variables as a shell would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import Cli


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
def newsroom(cli: Cli) -> Cli:
    cli.new("Older story on the budget", "--section", "Economy", "--tag", "Budget", "--author", "Ana Reyes")
    cli.new("Newest story on the Senate", "--section", "Politics", "--tag", "Senate", "--author", "Maria Santos")
    cli.new("Middle story", "--tag", "Manila Bay", "--author", "Mark Villanueva")
    cli.ok("edit", "middle-story", "--summary", "touched last")
    return cli


def test_article_slugs_most_recent_first(newsroom: Cli) -> None:
    assert complete(newsroom, "balita edit ") == [
        "middle-story",
        "newest-story-on-the-senate",
        "older-story-on-the-budget",
    ]
    assert complete(newsroom, "balita show ne") == ["newest-story-on-the-senate"]


def test_trashed_articles_are_not_offered(newsroom: Cli) -> None:
    newsroom.ok("delete", "middle-story", "--yes")
    assert "middle-story" not in complete(newsroom, "balita publish ")


def test_tags_sections_authors_complete_as_slugs(newsroom: Cli) -> None:
    assert complete(newsroom, "balita list --tag m") == ["manila-bay"]
    assert complete(newsroom, "balita list --section ") == ["economy", "politics"]
    assert complete(newsroom, "balita list --author ma") == ["maria-santos", "mark-villanueva"]
    # A completed slug is accepted where the name is.
    assert newsroom.ok("list", "--tag", "manila-bay", "--format", "ids").stdout.strip() != ""


def test_statuses_complete(newsroom: Cli) -> None:
    assert complete(newsroom, "balita list --status p") == ["published"]


def test_completion_never_fails_without_a_database(cli: Cli) -> None:
    cli.db_url = "sqlite:////nonexistent/dir/balita.db"
    assert complete(cli, "balita edit ") == []


def test_export_formats_complete(cli: Cli) -> None:
    assert complete(cli, "balita export n") == ["ninjs", "news-sitemap"]
    assert "rss" in complete(cli, "balita export ")
