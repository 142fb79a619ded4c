"""The editorial record (history, diff, revert, corrections, retraction) and db backup/restore/check."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.database import on_postgres
from tests.helpers.programs import needs_program


def history(cli: Cli, article: int) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = cli.json("history", str(article), "--format", "json")
    return entries


def test_history_lists_every_version_with_who_and_note(cli: Cli) -> None:
    article = cli.new("Senate approves budget", "--body", "First draft.")
    cli.ok("--as", "maria", "edit", str(article), "--summary", "Short", "-m", "add summary")
    cli.ok("edit", str(article), "--body", "Second draft.", "-m", "rewrite", env={"BALITA_USER": "jose"})
    entries = history(cli, article)
    assert [e["version"] for e in entries] == [3, 2, 1]
    assert [e["changed_by"] for e in entries[:2]] == ["jose", "maria"]
    assert [e["note"] for e in entries] == ["rewrite", "add summary", "created"]
    assert [e["current"] for e in entries] == [True, False, False]
    table = cli.ok("history", str(article)).stdout
    assert "+0800" in table and "maria" in table  # times in the site zone (Asia/Manila)


def test_diff_shows_fields_and_body_between_versions(cli: Cli) -> None:
    article = cli.new("Peso firms", "--body", "line one\nline two\n", "--tag", "Economy")
    cli.ok("edit", str(article), "--body", "line one\nline 2\n", "--add-tag", "Peso")
    lines = cli.ok("diff", str(article)).stdout.splitlines()
    assert "-line two" in lines and "+line 2" in lines
    assert "+tags: Economy, Peso" in lines and "-tags: Economy" in lines
    assert "\x1b[" not in cli.ok("diff", str(article)).stdout  # no colour off a terminal
    assert cli.ok("diff", str(article), "1", "1").stdout == ""
    cli.fails(["diff", str(article), "1", "9"])


def test_revert_restores_content_as_a_new_version(cli: Cli) -> None:
    article = cli.new("Original headline", "--body", "Original body.", "--section", "Politics")
    cli.ok("edit", str(article), "--title", "Rewritten", "--body", "Rewritten body.", "--section", "Culture")
    cli.ok("revert", str(article), "--to", "1", "-m", "undo")
    shown = cli.json("show", str(article), "--format", "json")
    assert (shown["title"], shown["body"], shown["section"]) == ("Original headline", "Original body.", "Politics")
    assert shown["version"] == 3
    assert history(cli, article)[0]["note"] == "undo"
    cli.fails(["revert", str(article), "--to", "1"])  # nothing left to bring back
    cli.fails(["revert", str(article), "--to", "2", "--if-version", "2"])  # stale: a conflict


def test_correct_and_retract_keep_public_notices(cli: Cli) -> None:
    article = cli.new("Mayor resigns", "--status", "published")
    cli.ok("correct", str(article), "An earlier version misspelled the mayor's name.")
    cli.ok("retract", str(article), "--reason", "The resignation letter was forged.")
    record = cli.json("show", str(article), "--format", "json")
    assert record["status"] == "retracted"
    assert record["retraction_reason"] == "The resignation letter was forged."
    assert [(c["kind"], c["text"]) for c in record["corrections"]] == [
        ("correction", "An earlier version misspelled the mayor's name."),
        ("retraction", "The resignation letter was forged."),
    ]
    assert record["version"] == 3
    assert [e["note"] for e in history(cli, article)][:2] == [
        "retracted: The resignation letter was forged.",
        "correction: An earlier version misspelled the mayor's name.",
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["retract", "{draft}", "--reason", "x"], 1),  # only a published story can be retracted
        (["retract", "{published}", "--reason", "  "], 1),
        (["correct", "{published}", ""], 1),
        (["correct", "999", "text"], 1),
        (["retract", "{published}"], 2),
    ],
)
def test_notices_refuse_bad_requests(cli: Cli, args: list[str], code: int) -> None:
    ids = {"draft": str(cli.new("Draft story")), "published": str(cli.new("Live", "--status", "published"))}
    cli.fails([arg.format(**ids) for arg in args], code)


def test_db_check_passes_on_a_healthy_database(cli: Cli) -> None:
    cli.new("One", "--tag", "Manila")
    report = cli.json("db", "check", "--format", "json")
    assert report["ok"] is True and report["problems"] == []
    assert {c["name"] for c in report["checks"]} >= {"schema", "orphan rows", "full-text index"}


@pytest.mark.skipif(on_postgres(), reason="damages a SQLite file directly")
def test_db_check_reports_orphans_and_a_stale_fulltext_index(cli: Cli, tmp_path: Path) -> None:
    article = cli.new("Typhoon warning", "--body", "Signal number 3")
    with sqlite3.connect(tmp_path / "balita.db") as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("INSERT INTO article_tag (article_id, tag_id) VALUES (999, 1)")
        raw.execute(
            "INSERT INTO article_fts (article_fts, rowid, title, summary, body) "
            "SELECT 'delete', id, title, summary, body FROM article WHERE id = ?",
            (article,),
        )
    result = cli.fails(["db", "check"], 1)
    assert "orphan rows" in result.stderr and "full-text index" in result.stderr


@pytest.mark.slow
def test_backup_and_restore_round_trip(cli: Cli, tmp_path: Path) -> None:
    if on_postgres():
        needs_program("pg_dump")
    article = cli.new("Before the backup")
    target = tmp_path / "backups" / "copy.db"
    cli.ok("db", "backup", str(target))
    assert target.is_file() and not list(target.parent.glob(".*.tmp"))
    cli.ok("edit", str(article), "--title", "After the backup")
    cli.new("Also after the backup")
    cli.ok("db", "restore", str(target), "--yes")
    assert cli.json("show", str(article), "--format", "json")["title"] == "Before the backup"
    assert cli.ok("list", "--format", "count").stdout.strip() == "1"
    cli.ok("db", "check")


@pytest.mark.postgres(reason="the JSON Lines backup is PostgreSQL's without pg_dump")
def test_a_backup_without_pg_dump_is_json_lines_as_private_as_the_database(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, trashed = cli.new("Kept"), cli.new("Trashed")
    cli.ok("delete", str(trashed), "--yes")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    target = tmp_path / "backup.jsonl"
    assert "jsonl" in cli.ok("db", "backup", str(target)).stderr
    assert target.stat().st_mode & 0o777 == 0o600
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [record["id"] for record in records] == [kept, trashed]


def test_restore_refuses_what_is_not_a_balita_backup(cli: Cli, tmp_path: Path) -> None:
    cli.new("Keep me")
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    cli.fails(["db", "restore", str(junk), "--yes"], 1)
    cli.fails(["db", "restore", str(tmp_path / "missing.db"), "--yes"], 1)
    cli.fails(["db", "restore", str(junk)], 2)  # no --yes and no terminal to ask
    if not on_postgres():
        other = tmp_path / "other.db"
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        assert "not a balita database" in cli.fails(["db", "restore", str(other), "--yes"]).stderr
    assert cli.ok("list", "--format", "count").stdout.strip() == "1"


def test_history_names_who_created_the_article_after_later_edits(cli: Cli) -> None:
    article = cli.ok("--as", "desk", "new", "Created by the desk", "--body", "v1", "--porcelain").stdout.strip()
    cli.ok("--as", "copyeditor", "edit", article, "--body", "v2", "-m", "tightened")
    entries = cli.json("history", article, "--format", "json")
    assert [(e["version"], e["changed_by"]) for e in entries] == [(2, "copyeditor"), (1, "desk")]
    assert "updated_by" not in "\n".join(cli.ok("diff", article).stdout.splitlines())


def test_diff_shows_a_photo_by_its_id_and_caption(cli: Cli, tmp_path: Path) -> None:
    from PIL import Image

    picture = tmp_path / "bay.png"
    Image.new("RGB", (64, 48), (70, 130, 180)).save(picture)
    cli.ok("media", "add", str(picture), "--alt", "The bay at dusk", "--caption", "Manila Bay, 6 December")
    article = str(cli.new("Bay story", "--body", "x"))
    cli.ok("edit", article, "--image", "1")
    lines = cli.ok("diff", article).stdout.splitlines()
    assert "-photo: " in lines and '+photo: #1 "Manila Bay, 6 December"' in lines
    cli.ok("edit", article, "--image", "")
    assert '-photo: #1 "Manila Bay, 6 December"' in cli.ok("diff", article).stdout.splitlines()
    assert "{" not in cli.ok("diff", article, "1", "3").stdout  # no raw record, whichever versions
