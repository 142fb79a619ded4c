"""balita run in-process (``Cli``, with CliRunner) or as a process of its own (``BalitaProcess``),
each against one test's database and kept away from the user's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from balita_cli.cli import app

# What a user's shell may set that would reach past the test's own database and files.
ISOLATED_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "VISUAL", "EDITOR", "NO_COLOR")


def isolate(patch: pytest.MonkeyPatch, folder: Path) -> None:
    """Run from ``folder`` with its own home, as if nothing of the user's were set."""
    for name in ISOLATED_ENV:
        patch.delenv(name, raising=False)
    patch.setenv("HOME", str(folder / "home"))
    patch.setenv("BALITA_RECOVERY_DIR", str(folder / "recovery"))
    patch.setenv("BALITA_WIDTH", "200")
    patch.chdir(folder)


def editor_script(tmp_path: Path, name: str, code: str) -> str:
    """An $EDITOR that runs ``code`` with ``path`` (the file to edit) and ``text`` (its content)."""
    script = tmp_path / f"{name}.py"
    script.write_text(
        "import sys, pathlib, subprocess, os\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text(encoding='utf-8')\n" + code + "\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


@dataclass
class Cli:
    """Runs balita in-process against this test's database; stdout and stderr kept apart."""

    db_url: str
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None) -> Result:
        """``env`` adds to the environment; a name given None is taken out of it."""
        full_env = {"BALITA_DATABASE_URL": self.db_url, **(env or {})}
        return self.runner.invoke(app, list(args), input=input, env=full_env, catch_exceptions=True)

    def ok(self, *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None) -> Result:
        """Run and insist on success, showing stderr and any traceback when it fails."""
        result = self(*args, input=input, env=env)
        if result.exit_code != 0:
            raise AssertionError(
                f"balita {' '.join(args)} exited {result.exit_code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
            )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args).stdout)

    def new(self, title: str, *extra: str) -> int:
        return int(self.ok("new", title, "--porcelain", *extra).stdout.strip())

    def fails(self, args: Sequence[str], code: int = 1, *, input: str | None = None) -> Result:
        """Run and insist on a clean failure: the exit code, one error line, no traceback."""
        result = self(*args, input=input)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
        return result


@dataclass
class BalitaProcess:
    """Runs ``python -m balita_cli`` as a separate process against this test's database."""

    db_url: str

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "BALITA_DATABASE_URL": self.db_url, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "balita_cli", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
            check=False,
        )
