"""`export jsonl` on SQLite writes records made by SQLite's json_object: they must be the very bytes
the Python record gives (`list --format jsonl`), whatever the articles hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.cli import Cli
from tests.helpers.database import on_postgres, store_raw

pytestmark = pytest.mark.skipif(on_postgres(), reason="SQLite's json_object makes these lines")

hostile = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


def add_photo(db_url: str, article_id: int) -> None:
    from sqlalchemy import create_engine, text

    from balita_cli.db.urls import normalise_url

    engine = create_engine(normalise_url(db_url, Path.cwd()))
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO photo (sha256, format, width, height, size, alt, caption, credit, source_url, created_at, "
            "created_by, original_name) VALUES ('" + "ab" * 32 + "', 'jpeg', 1600, 900, 123456, 'Alt \"x\"', "
            "'Caption', 'PNA', '', '2026-11-27 00:00:00.000000', 'desk', 'a.jpg')"
        ))  # fmt: skip
        connection.execute(text("UPDATE article SET image_id = 1 WHERE id = :id"), {"id": article_id})
    engine.dispose()


def same_bytes(cli: Cli) -> str:
    listed = cli.ok("list", "--format", "jsonl", "--sort", "id").stdout
    exported = cli.ok("export", "jsonl", "--sort", "id").stdout
    assert listed == exported
    return exported


@pytest.mark.slow
def test_every_kind_of_article_comes_out_the_same_both_ways(cli: Cli) -> None:
    plain = cli.new("Plain", "--body", "First paragraph.\n\nSecond.")  # summary derived in Python
    written = cli.new("Written", "--summary", "Standfirst.", "--body", "Body", "--featured", "--lang", "fil")
    cli.ok("edit", str(written), "--slug", "renamed-story")  # an alias
    cli.ok("tag", "add", str(written), "Zeta", "alpha", "Mañana")
    cli.ok("edit", str(written), "--author", "Ana Reyes", "--author", "Ben Cruz")
    cli.ok("publish", str(written))
    cli.ok("correct", str(written), 'A "quoted"\tname\\ was wrong.')
    killed = cli.new("Killed", "--status", "published", "--summary", "S", "--body", "x")
    cli.ok("retract", str(killed), "--reason", "Fabricated.")
    trashed = cli.new("Trashed", "--summary", "S", "--body", "x")
    store_raw(cli.db_url, trashed, expires_at="2030-01-01 00:00:00+00:00")  # a time in another text form
    covered = Path("covered.jsonl")
    coverage = [{"source_name": "GMA News", "url": "https://www.gmanetwork.com/a", "title": "Same story",
                 "published_at": "2026-11-26T01:00:00+00:00", "external_id": "feed:gma:1"}]  # fmt: skip
    covered.write_text(json.dumps({"title": "Covered", "summary": "S", "coverage": coverage}) + "\n")
    cli.ok("import", "jsonl", str(covered))
    with_photo = cli.new("Pictured", "--summary", "S", "--body", "x")
    add_photo(cli.db_url, with_photo)
    lines = [json.loads(line) for line in same_bytes(cli).splitlines()]
    assert [line["id"] for line in lines] == [plain, written, killed, trashed, trashed + 1, with_photo]
    assert lines[4]["coverage"][0]["source_name"] == "GMA News"
    assert lines[5]["photo"]["media_type"] == "image/jpeg" and lines[5]["photo"]["width"] == 1600
    assert lines[1]["aliases"] == ["written"] and lines[1]["tags"] == ["alpha", "Mañana", "Zeta"]
    assert lines[2]["corrections"][0]["kind"] == "retraction"


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=hostile, summary=hostile, body=hostile, note=hostile)
def test_hostile_text_comes_out_the_same_both_ways(cli: Cli, title: str, summary: str, body: str, note: str) -> None:
    article = cli.new("Placeholder", "--body", "x")
    store_raw(cli.db_url, article, title=title, summary=summary, body=body, editor_note=note)
    same_bytes(cli)
