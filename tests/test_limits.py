"""Values too large for their column are refused with a message, the same on SQLite and PostgreSQL;
two processes opening a new database at once both succeed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.cli import Cli


@pytest.mark.parametrize(
    "args",
    [
        ["tag", "add", "{id}", "t" * 201],
        ["section", "add", "s" * 201],
        ["edit", "{id}", "--dateline", "d" * 201],
        ["edit", "{id}", "--source-name", "n" * 201],
        ["--as", "a" * 201, "edit", "{id}", "--summary", "x"],
    ],
)
def test_oversized_values_are_refused(cli: Cli, args: list[str]) -> None:
    article = cli.new("Target")
    result = cli.fails([arg.format(id=article) for arg in args])
    assert "longer than" in result.stderr
    assert cli.json("show", str(article), "--format", "json")["version"] == 1


@pytest.mark.slow
def test_two_processes_create_the_schema_at_once(db_url: str) -> None:
    env = {**os.environ, "BALITA_DATABASE_URL": db_url}
    command = [sys.executable, "-m", "balita_cli", "db", "upgrade"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    results = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0, 0], results
    assert sum("upgraded from empty" in err.decode() for _, err in results) >= 1


@pytest.mark.parametrize(
    "args",
    [
        ["tag", "add", "{id}", "\x000"],
        ["section", "add", "Eko\x1bnomiya"],
        ["list", "--source", "phil\x00star"],
        ["list", "--query", "a\x00b"],
        ["edit", "{id}", "--title", "T\x00"],
        ["correct", "{id}", "wrong\x00"],
    ],
)
def test_nul_and_control_characters_are_refused_the_same_everywhere(cli: Cli, args: list[str]) -> None:
    article = cli.new("Target")
    result = cli.fails([arg.format(id=article) for arg in args])
    assert "NUL" in result.stderr or "control character" in result.stderr
