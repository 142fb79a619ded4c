"""Upgrading a database made by an older balita keeps every row, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from balita_cli.db.engine import create_db_engine
from balita_cli.db.migrate import downgrade, head_revision, known_revisions, read_revision, upgrade
from balita_cli.db.urls import normalise_url
from tests.helpers.cli import Cli
from tests.helpers.database import check_constraint_count


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made = create_db_engine(normalise_url(db_url, Path.cwd()))
    yield made
    made.dispose()


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        tables = [
            name for name in inspect(connection).get_table_names() if not name.startswith(("article_fts", "alembic"))
        ]
        return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in tables}


def test_every_older_revision_upgrades_to_head_keeping_every_row(cli: Cli, engine: Engine) -> None:
    for number in range(3):
        cli.ok("--as", "reporter", "new", f"Story {number}", "--tag", "Senate", "--body", f"Typhoon body {number}")
    cli.ok("--as", "copydesk", "edit", "1", "--summary", "tightened", "-m", "copy edit")
    cli.ok("correct", "2", "A name was misspelled.")
    before = row_counts(engine)
    assert before["article"] == 3 and before["revision"] == 2 and before["correction"] == 1
    for older in known_revisions()[:-1]:
        downgrade(engine, older)
        assert read_revision(engine) == older
        older_counts = row_counts(engine)
        assert older_counts == {name: count for name, count in before.items() if name in older_counts}
        upgrade(engine)
        assert read_revision(engine) == head_revision()
        assert row_counts(engine) == before
    assert cli.ok("search", "typhoon", "--format", "count").stdout == "3\n"  # the search index came through
    history = cli.json("history", "1", "--format", "json")
    assert [(entry["version"], entry["changed_by"]) for entry in history] == [(2, "copydesk"), (1, "reporter")]


def test_created_by_is_backfilled_for_articles_made_before_it_existed(cli: Cli, engine: Engine) -> None:
    cli.ok("--as", "reporter", "new", "Old story", "--body", "x")
    cli.ok("--as", "copydesk", "edit", "1", "--body", "y")
    cli.ok("--as", "desk", "new", "Never edited", "--body", "z")
    downgrade(engine, "0001")
    upgrade(engine, "0002")
    with engine.connect() as connection:
        creators = {
            row.slug: row.created_by for row in connection.execute(text("SELECT slug, created_by FROM article"))
        }
    assert creators == {"old-story": "reporter", "never-edited": "desk"}


def test_long_text_is_stored_with_lz4_on_postgresql(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL compresses long values; SQLite stores text as it is")
    with engine.connect() as connection:
        if not connection.execute(
            text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar():
            pytest.skip("this PostgreSQL server was built without lz4: the migration leaves it alone")
    # Words that do not repeat much, as a story's do, past PostgreSQL's 2 KB threshold.
    body = " ".join(f"salita{number} ulat{number * 7 % 101} balita{number % 13}" for number in range(400))
    story = tmp_path / "story.md"
    story.write_text(body, encoding="utf-8")
    cli.ok("new", "Long story", "--body-file", str(story))
    cli.ok("edit", "1", "--summary", "A second revision keeps the whole body too")
    query = """SELECT pg_column_compression(article.body), pg_column_compression(revision.snapshot)
               FROM article JOIN revision ON revision.article_id = article.id"""
    with engine.connect() as connection:
        assert {tuple(row) for row in connection.execute(text(query))} == {("lz4", "lz4")}
    downgrade(engine, "0005")
    with engine.connect() as connection:
        settings = connection.execute(
            text("SELECT attcompression FROM pg_attribute WHERE attrelid = 'article'::regclass AND attname = 'body'")
        ).scalar()
        assert settings == ""  # back to the server's default
    upgrade(engine)
    assert cli.json("show", "1", "--format", "json")["body"].strip() == body  # read back whole


def test_rows_from_before_the_checks_are_kept_and_named_by_db_check(cli: Cli, engine: Engine) -> None:
    """Migration 0020 over rows its constraints refuse: the rows stay, new ones are checked, and
    `db check` names what the old ones break (SQLite's integrity check; PostgreSQL's NOT VALID)."""
    article = cli.new("Senate hearing", "--tag", "Senate", "--body", "x")
    downgrade(engine, "0016")
    with engine.begin() as connection:
        connection.execute(text("UPDATE tag SET slug = '..' WHERE slug = 'senate'"))
        connection.execute(text("INSERT INTO article_slug (article_id, slug) VALUES (:id, 'a/b')"), {"id": article})
    upgrade(engine)
    assert read_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT slug FROM tag")).scalars().all() == [".."]
    checked = cli.fails(["db", "check"]).stdout
    assert "ck_tag_slug" in checked or "CHECK constraint failed in tag" in checked, checked
    assert f"check constraints\t{check_constraint_count()} in place" in checked
    with pytest.raises(IntegrityError, match="ck_tag_slug"), engine.begin() as connection:  # no new one gets in
        connection.execute(text("INSERT INTO tag (name, slug) VALUES ('Other', '../other')"))
