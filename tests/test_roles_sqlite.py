"""On SQLite roles are not enforced: the database file's permissions are the boundary, so balita
makes the file (and its backups) readable by its owner only, while the built site stays readable
by the web server. whoami and the user commands say so."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from balita_cli.cli import app
from tests.helpers.cli import Cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def lite(tmp_path: Path) -> Cli:
    """balita on a SQLite file, whatever database the rest of the suite runs on."""
    return Cli(db_url=f"sqlite:///{tmp_path / 'newsroom.db'}", runner=CliRunner())


def test_the_database_and_its_backups_are_private_and_the_site_is_not(tmp_path: Path, umask_022: None) -> None:
    site = tmp_path / "site"
    runner = CliRunner()
    init = runner.invoke(app, ["init", str(site), "--demo"])
    assert init.exit_code == 0, init.stderr
    database = site / "balita.db"
    assert mode(database) == 0o600
    with sqlite3.connect(database) as connection:  # WAL mode: SQLite makes -wal and -shm like the file
        connection.execute("CREATE TABLE probe (x)")
        for suffix in ("-wal", "-shm"):
            side = database.with_name(database.name + suffix)
            assert side.exists() and mode(side) == 0o600, suffix
        connection.execute("DROP TABLE probe")
    cli = Cli(db_url=f"sqlite:///{database}", runner=runner)
    cli.ok("db", "backup", str(tmp_path / "backups" / "nightly.db"))
    assert mode(tmp_path / "backups" / "nightly.db") == 0o600
    cli.ok("--site", str(site), "build")
    pages = list((site / "public").rglob("*.html"))
    assert pages and all(mode(path) == 0o644 for path in pages)


def test_a_database_made_by_any_command_is_private_and_an_existing_one_keeps_its_mode(
    lite: Cli, tmp_path: Path, umask_022: None
) -> None:
    lite.ok("new", "First", "--body", "x")
    assert mode(tmp_path / "newsroom.db") == 0o600
    shared = tmp_path / "shared.db"
    Cli(db_url=f"sqlite:///{shared}", runner=CliRunner()).ok("db", "upgrade")
    shared.chmod(0o640)  # the operator's choice (a group of editors on one machine) stays
    Cli(db_url=f"sqlite:///{shared}", runner=CliRunner()).ok("new", "Second", "--body", "x")
    assert mode(shared) == 0o640


def test_whoami_says_roles_are_not_enforced_on_sqlite(lite: Cli) -> None:
    lite.ok("db", "upgrade")
    text = lite.ok("--as", "maria", "whoami")
    assert "user\tmaria\n" in text.stdout and "role\tnot enforced on SQLite\n" in text.stdout
    assert "file's permissions are the boundary" in text.stderr
    shown = json.loads(lite.ok("whoami", "--format", "json", env={"BALITA_USER": "jose"}).stdout)
    assert shown == {"user": "jose", "role": None, "enforced": False, "database": lite.db_url}


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["user", "add", "ana", "--role", "editor", "--no-password"],
        ["user", "list"],
        ["user", "role", "ana", "author"],
        ["user", "disable", "ana"],
    ],
)
def test_user_commands_on_sqlite_point_to_postgresql(lite: Cli, args: list[str]) -> None:
    lite.ok("db", "upgrade")
    result = lite.fails(args)
    assert result.stderr.startswith("error: users and roles are PostgreSQL's") and result.stderr.count("\n") == 1


def test_anyone_may_name_themselves_on_sqlite(lite: Cli) -> None:
    article = lite.ok("--as", "maria", "new", "Mine", "--body", "x", "--porcelain").stdout.strip()
    lite.ok("--as", "jose", "publish", article)
    lite.ok("--as", "jose", "delete", article, "--purge", "--yes")  # nothing is refused: the file is the boundary


def test_bad_role_names_are_usage_errors(lite: Cli) -> None:
    result = lite.fails(["user", "add", "ana", "--role", "overlord", "--no-password"], 2)
    assert "overlord" in result.stderr
