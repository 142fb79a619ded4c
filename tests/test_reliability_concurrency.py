"""Many editors at once, killed processes and backups under load, through the real CLI.

Workers are separate OS processes that each run the CLI in-process (tests/helpers/editors.py).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import Cli
from tests.helpers.database import on_postgres
from tests.helpers.editors import EDITS, PROCESSES, check_no_lost_update, collect, spawn, start_editors
from tests.helpers.programs import needs_program

pytestmark = pytest.mark.slow  # the fast lane, pytest -m "not slow", leaves these out

ARTICLES = 5


def test_eight_editors_fifty_edits_each_lose_nothing(cli: Cli, tmp_path: Path) -> None:
    ids = [cli.new(f"Shared story {n}") for n in range(ARTICLES)]
    outcomes = collect(start_editors([cli.db_url] * PROCESSES, ids, tmp_path, EDITS))
    assert len(outcomes) == PROCESSES * EDITS
    check_no_lost_update(cli, ids, outcomes)
    accepted = sum(o["exit"] == 0 for o in outcomes)
    assert accepted > 0
    cli.ok("db", "check")


def test_backup_during_concurrent_writes_restores_healthy(cli: Cli, tmp_path: Path) -> None:
    if on_postgres():
        needs_program("pg_dump")
    ids = [cli.new(f"Busy story {n}") for n in range(ARTICLES)]
    started = start_editors([cli.db_url] * 3, ids, tmp_path, 30)
    backups = []
    for number in range(3):
        target = tmp_path / "backups" / f"during-{number}.db"
        cli.ok("db", "backup", str(target))
        backups.append(target)
    outcomes = collect(started)
    check_no_lost_update(cli, ids, outcomes)
    for target in backups:
        if not on_postgres():
            with sqlite3.connect(target) as copy:  # a consistent point in time: versions match revisions
                rows = copy.execute(
                    "SELECT a.version, (SELECT count(*) FROM revision r WHERE r.article_id = a.id) FROM article a"
                ).fetchall()
            assert all(version == 1 + revisions for version, revisions in rows)
        cli.ok("db", "restore", str(target), "--yes")
        cli.ok("db", "check")
        for article in ids:
            record = cli.json("show", str(article), "--format", "json")
            entries = cli.json("history", str(article), "--format", "json")
            assert record["version"] == len(entries)


def wait_for_lines(stream: Any, count: int, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while len(lines) < count and time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line.strip())
    return lines


NEW_LOOP = """
import sys
from typer.testing import CliRunner
from balita_cli.cli import app
from tests.helpers.editors import build_command_once
build_command_once()
runner = CliRunner()
env = {{"BALITA_DATABASE_URL": {url!r}}}
for n in range(100000):
    args = ["new", f"Bulk story {{n}}", "--body", "x" * 2000, "--tag", f"t{{n % 7}}", "--porcelain"]
    result = runner.invoke(app, args, env=env)
    print(result.stdout.strip(), flush=True)
"""


def test_sigkill_during_a_bulk_of_new_leaves_a_healthy_database(cli: Cli) -> None:
    process = spawn(NEW_LOOP.format(url=cli.db_url), stdout=subprocess.PIPE)
    assert process.stdout is not None
    created = wait_for_lines(process.stdout, 40)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(created) == 40
    cli.ok("db", "check")
    # Every id printed was committed; at most the one in flight is missing or extra.
    count = int(cli.ok("list", "--format", "count").stdout)
    assert count >= len(created)
    assert all(cli.json("show", ref, "--format", "json")["tags"] for ref in created)
    cli.new("After the crash")


def test_sigkill_during_one_big_transaction_is_all_or_nothing(cli: Cli, tmp_path: Path) -> None:
    ids = [str(cli.new(f"Story {n}", "--tag", "Bulk")) for n in range(40)]
    code = (
        "import sys; from balita_cli.cli import main; "
        f"sys.argv = ['balita', '--db', {cli.db_url!r}, 'delete', *{ids!r}, '--yes']; main()"
    )
    process = spawn(code, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0.8, 1.4))  # noqa: S311  (somewhere in the middle of the run)
    process.send_signal(signal.SIGKILL)
    process.wait()
    cli.ok("db", "check")
    trashed = int(cli.ok("list", "--trash", "--format", "count").stdout)
    assert trashed in (0, len(ids))


@pytest.mark.skipif(on_postgres(), reason="a SQLite backup file is what is checked")
def test_sigkill_during_backup_leaves_no_half_written_file(cli: Cli, tmp_path: Path) -> None:
    for n in range(30):
        cli.new(f"Long story {n}", "--body", "words " * 20000)
    target = tmp_path / "kept" / "backup.db"
    for delay in (0.2, 0.4, 0.6):
        code = (
            "import sys; from balita_cli.cli import main; "
            f"sys.argv = ['balita', '--db', {cli.db_url!r}, 'db', 'backup', {str(target)!r}]; main()"
        )
        process = spawn(code, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if target.exists():  # complete and healthy, or not there at all
            with sqlite3.connect(target) as copy:
                assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert copy.execute("SELECT count(*) FROM article").fetchone() == (30,)
    cli.ok("db", "check")
