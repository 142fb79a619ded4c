"""PostgreSQL's search index, a table of documents (migration 0007): kept by triggers whoever
writes, left for later by an import (its articles wait, and are found all the same while they
do), written only by the database's own functions, and checked by `balita db check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from balita_cli.services.permissions import Role
from tests.helpers.cli import Cli
from tests.helpers.roles import Connect, Desk, denied

pytestmark = pytest.mark.postgres(reason="the search table is PostgreSQL's")
LATER = "SELECT set_config('balita.search_later', 'on', true)"


def found(cli: Cli, words: str) -> list[int]:
    return sorted(int(line) for line in cli.ok("search", words, "--format", "ids").stdout.split())


def listed(cli: Cli, words: str) -> list[int]:
    return sorted(int(line) for line in cli.ok("list", "--query", words, "--format", "ids").stdout.split())


def counts(desk: Desk) -> tuple[int, int]:
    row = desk.sql("SELECT (SELECT count(*) FROM article_search), (SELECT count(*) FROM article_search_waiting)")
    return int(row[0][0]), int(row[0][1])


def run(desk: Desk, statement: str, *, later: bool, **params: Any) -> None:
    """``statement`` as the owner, in a transaction that asked for later documents or did not."""
    from sqlalchemy import text

    desk.sql("SELECT 1")  # the owner's engine
    assert desk.engine is not None
    with desk.engine.begin() as connection:
        if later:
            connection.execute(text(LATER))
        connection.execute(text(statement), params)


def copy_article(desk: Desk, article_id: int, slug: str, *, later: bool) -> int:
    """A new row copied from ``article_id`` straight into the table, as another client would."""
    columns = [name for (name,) in desk.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'article' AND column_name NOT IN ('id', 'slug', 'external_id')")]  # fmt: skip
    names = ", ".join(columns)
    run(desk, f"INSERT INTO article (slug, {names}) SELECT :slug, {names} FROM article WHERE id = :id",
        later=later, slug=slug, id=article_id)  # fmt: skip
    return int(desk.sql("SELECT id FROM article WHERE slug = :slug", slug=slug)[0][0])


def test_every_write_keeps_the_index_and_a_later_one_is_found_while_it_waits(desk: Desk) -> None:
    cli = desk.cli
    typhoon = cli.new("Typhoon Karding nears Aurora", "--body", "PAGASA raised signal number three.")
    assert found(cli, "karding") == [typhoon] and counts(desk) == (1, 0)
    # Edited through balita: the old words go, the new ones are found, nothing waits.
    cli.ok("edit", str(typhoon), "--title", "Typhoon Paeng leaves Aurora")
    assert found(cli, "karding") == [] and found(cli, "paeng") == [typhoon] and counts(desk) == (1, 0)
    # Another client, in a transaction that asked for later: the article waits, found all the same.
    run(desk, "UPDATE article SET body = 'Sampaguita growers in Bulacan.' WHERE id = :id", later=True, id=typhoon)
    assert counts(desk) == (0, 1)
    assert found(cli, "sampaguita") == [typhoon] == listed(cli, "bulacan") and found(cli, "pagasa") == []
    copied = copy_article(desk, typhoon, "copied-later", later=True)
    assert counts(desk) == (0, 2) and found(cli, "sampaguita") == sorted([typhoon, copied])
    assert "2 articles waiting" not in (check := cli.ok("db", "check").stdout) and ", 2 waiting" in check
    ranked = cli.json("search", "sampaguita growers", "--format", "json", "--fields", "id,rank,snippet")
    # Caught up: indexed, nothing waits, the same answers, ranked and cut the same.
    assert desk.sql("SELECT balita_search_catch_up()") == [(2,)]
    assert counts(desk) == (2, 0) and found(cli, "sampaguita") == sorted([typhoon, copied])
    assert cli.json("search", "sampaguita growers", "--format", "json", "--fields", "id,rank,snippet") == ranked
    assert len(ranked) == 2 and all(hit["rank"] > 0 and "<mark>" in hit["snippet"] for hit in ranked)
    # A copy by another client that did not ask: indexed at once; a delete takes its document.
    plain = copy_article(desk, typhoon, "copied-now", later=False)
    assert counts(desk) == (3, 0) and plain in found(cli, "bulacan")
    desk.sql("DELETE FROM article WHERE id = :id", id=plain)
    assert counts(desk) == (2, 0)


def test_only_the_databases_own_functions_write_the_index(desk: Desk, connect: Connect) -> None:
    story = int(desk.cli.ok("--as", desk.names[Role.EDITOR], "new", "Jeepney routes", "--body", "Cubao to Quiapo.",
                            "--porcelain").stdout)  # fmt: skip
    for role in (Role.CONTRIBUTOR, Role.EDITOR):
        login = connect(role)
        denied(login, "INSERT INTO article_search (article_id, document) VALUES (%s, to_tsvector('planted'))", story)
        denied(login, "UPDATE article_search SET document = to_tsvector('planted')")
        denied(login, "DELETE FROM article_search")
        denied(login, "INSERT INTO article_search_waiting VALUES (%s)", story)
        denied(login, "TRUNCATE article_search")
    editor = connect(Role.EDITOR)
    # Asking for later changes only when a document is made, never what it says.
    with editor.transaction():
        editor.execute(LATER)
        editor.execute("UPDATE article SET title = 'Jeepney routes change' WHERE id = %s", (story,))
    assert counts(desk) == (0, 1) and found(desk.cli, "quiapo") == [story]
    assert editor.execute("SELECT balita_search_catch_up(5)").fetchone() == (1,)
    assert found(desk.cli, "planted") == [] and found(desk.cli, "change") == [story] and counts(desk) == (1, 0)


def test_an_import_indexes_everything_it_wrote_before_it_ends(cli: Cli, tmp_path: Path) -> None:
    records = [{"title": f"Barangay story {n}", "body": f"Council meeting number{n} in Pasig.", "status": "draft",
                "external_id": f"test:{n}"} for n in range(2_500)]  # fmt: skip
    source = tmp_path / "stories.jsonl"
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    summary = cli.json("import", "jsonl", str(source), "--format", "json", "--batch-size", "300")
    assert summary["created"] == 2_500 and summary["warnings"] == []
    from sqlalchemy import create_engine, text

    engine = create_engine(cli.db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        indexed, waiting = connection.execute(
            text("SELECT (SELECT count(*) FROM article_search), (SELECT count(*) FROM article_search_waiting)")
        ).one()
    engine.dispose()
    assert (indexed, waiting) == (2_500, 0)
    assert (
        cli.ok("search", "pasig", "--limit", "5000", "--format", "count").stdout == "2500\n"
        and len(found(cli, "number2499")) == 1
    )
    assert "2500 articles indexed" in cli.ok("db", "check").stdout


def test_db_check_finds_an_article_with_no_document(desk: Desk) -> None:
    story = desk.cli.new("Lost document", "--body", "Nowhere to be found.")
    desk.sql("DELETE FROM article_search WHERE article_id = :id", id=story)
    result = desk.cli("db", "check")
    assert result.exit_code != 0 and "1 article(s) neither indexed nor waiting" in result.stdout + result.stderr
