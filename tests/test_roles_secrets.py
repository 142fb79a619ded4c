"""A database password never shows: not in an error, a status line, a message, nor balita.toml;
whether the server is down, the URL is malformed, or everything works."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from typer.testing import CliRunner

from balita_cli.cli import app
from balita_cli.db.urls import display_url, redact
from tests.helpers.database import postgres_url

SECRET = "Kal4m4ns1-Secret"
DOWN = f"postgresql://ana:{SECRET}@127.0.0.1:1/newsroom"  # nothing listens on port 1
COMMANDS = [
    ["list"],
    ["new", "Title", "--body", "x"],
    ["db", "status"],
    ["db", "upgrade"],
    ["db", "check"],
    ["whoami"],
    ["user", "list"],
    ["history", "1"],
    ["export", "json"],
    ["publish", "--due"],
]
HOSTILE_URLS = [
    DOWN,
    f"postgresql://ana:{SECRET}%zz@127.0.0.1:1/newsroom",  # libpq quotes a bad %-escape back
    f"postgresql://ana:{SECRET}@[::1/newsroom",  # a broken IPv6 host: libpq quotes the whole URL
    f"postgresql://127.0.0.1:1/newsroom?user=ana&password={SECRET}",
    f"postgresql://ana:{SECRET}@127.0.0.1:1/newsroom?sslmode=bogus",
    f"postgres://ana:{SECRET}@127.0.0.1:notaport/newsroom",
    f"postgresql+psycopg://ana:{SECRET}@127.0.0.1:1/newsroom?bogus=1",
]


def run(*args: str, url: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"BALITA_DATABASE_URL": url}, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_no_failure_shows_the_password(url: str, command: list[str]) -> None:
    code, stdout, stderr = run(*command, url=url)
    assert code in (1, 2), (code, stdout, stderr)
    assert SECRET not in stdout + stderr and "Kal4m4ns1" not in stdout + stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr


def test_a_failure_names_the_database_with_the_password_hidden() -> None:
    code, _stdout, stderr = run("list", url=DOWN)
    assert code == 1 and "://ana:***@127.0.0.1:1/newsroom" in stderr
    code, _stdout, stderr = run("new", "Title", "--body", "x", url=DOWN)
    assert code == 1 and "ana:***@127.0.0.1:1/newsroom" in stderr


def test_a_real_process_failing_to_connect_shows_no_password(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "balita_cli", "--db", DOWN, "new", "T", "--body", "x"],
                          capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1 and SECRET not in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_init_with_a_password_never_writes_or_prints_it(tmp_path: Path) -> None:
    code, stdout, stderr = run("init", str(tmp_path / "site"), "--database", DOWN, url="")
    assert code == 1 and SECRET not in stdout + stderr and "ana:***@" in stderr
    assert not (tmp_path / "site" / "balita.toml").exists()


def test_redact_takes_out_every_form_of_the_password() -> None:
    url = "postgresql://ana:p%40ss%20word@db.example.ph/news"
    assert redact('invalid token "p%40ss%20word" and p@ss word', url) == 'invalid token "***" and ***'
    assert redact("nothing here", "postgresql://ana@db/news") == "nothing here"
    assert redact(f"bad: {SECRET}", f"postgresql://ana:{SECRET}@[::1/db") == "bad: ***"
    assert redact(f"x {SECRET}", f"postgresql://db/news?password={SECRET}") == "x ***"
    assert display_url(f"postgresql://ana:{SECRET}@[::1/db") == "postgresql://ana:***@[::1/db"


# ---------------------------------------------------------------- against a real server


def with_password(url: str) -> str:
    """The test server's URL carrying a password (the server trusts; the password only has to be
    hidden)."""
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    return urlunsplit((parts.scheme, f"{user or 'postgres'}:{SECRET}@{host}", parts.path, parts.query, ""))


@pytest.mark.postgres
def test_status_messages_and_settings_hide_the_password(ready_db_url: str, tmp_path: Path) -> None:
    url = with_password(ready_db_url)
    for command in (["db", "status"], ["db", "upgrade"], ["whoami"], ["new", "Story", "--body", "x"], ["db", "check"]):
        code, stdout, stderr = run(*command, url=url)
        assert code == 0, (command, stderr)
        assert SECRET not in stdout + stderr
    status = run("db", "status", url=url)[1]
    assert "postgres:***@" in status
    code, _stdout, stderr = run("init", str(tmp_path / "site"), "--database", url, url="")
    assert code == 0 and SECRET not in stderr and "postgres:***@" in stderr
    written = (tmp_path / "site" / "balita.toml").read_text()
    assert SECRET not in written
    assert tomllib.loads(written)["database"]["url"].startswith("postgresql")
    assert postgres_url() is not None
