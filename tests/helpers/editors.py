"""Many editors at once: worker processes that each run the CLI in-process with CliRunner
(starting hundreds of interpreters would make the tests slow without testing anything more)."""

from __future__ import annotations

import functools
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer.testing
from typer.testing import CliRunner

from balita_cli.cli import app
from tests.helpers.cli import Cli

REPO = Path(__file__).resolve().parents[2]
PROCESSES = 8
EDITS = 50


def build_command_once() -> None:
    """Typer rebuilds the whole click command tree on every invoke; a worker running hundreds of
    commands builds it once. The commands themselves run unchanged."""
    typer.testing._get_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]


def edit_worker(db_url: str, ids: list[int], worker: int, edits: int, out_path: str) -> None:
    """Run ``edits`` edits; even ones read the version first and compare-and-set against it."""
    build_command_once()
    runner = CliRunner()
    env = {"BALITA_DATABASE_URL": db_url, "BALITA_USER": f"worker{worker}"}
    rng = random.Random(worker)
    outcomes = []
    for number in range(edits):
        article = str(ids[rng.randrange(len(ids))])
        token = f"w{worker}-e{number}"
        args = ["edit", article, f"--summary={token}", "-m", token]
        if number % 2 == 0:
            shown = runner.invoke(app, ["show", article, "--format", "json"], env=env)
            version = json.loads(shown.stdout)["version"] if shown.exit_code == 0 else -1
            args.append(f"--if-version={version}")
        result = runner.invoke(app, args, env=env)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        outcomes.append(
            {
                "article": int(article),
                "token": token,
                "exit": result.exit_code,
                "stderr": result.stderr,
                "crash": repr(result.exception) if crashed else "",
            }
        )
    Path(out_path).write_text(json.dumps(outcomes))


def spawn(code: str, **kwargs: Any) -> subprocess.Popen[str]:
    """``python -c code`` with this checkout importable (the tests' helpers among it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-c", code], env=env, text=True, **kwargs)


Started = list[tuple[subprocess.Popen[str], Path]]


def start_editors(urls: list[str], ids: list[int], folder: Path, edits: int) -> Started:
    """One worker per database URL (the same database as different logins, or the same one)."""
    started = []
    for worker, url in enumerate(urls):
        out = folder / f"worker{worker}.json"
        arguments = f"{url!r}, {ids!r}, {worker}, {edits}, {str(out)!r}"
        started.append((spawn(f"from tests.helpers.editors import edit_worker; edit_worker({arguments})"), out))
    return started


def collect(started: Started) -> list[dict[str, Any]]:
    outcomes: list[dict[str, Any]] = []
    for process, out in started:
        assert process.wait(timeout=180) == 0
        outcomes += json.loads(out.read_text())
    return outcomes


def check_no_lost_update(cli: Cli, ids: list[int], outcomes: list[dict[str, Any]]) -> None:
    for outcome in outcomes:
        assert not outcome["crash"], outcome
        assert "locked" not in outcome["stderr"] and "busy" not in outcome["stderr"], outcome
        assert outcome["exit"] in (0, 1), outcome
        if outcome["exit"] == 1:
            assert "was changed by" in outcome["stderr"], outcome  # refused as a conflict
    for article in ids:
        accepted = {o["token"] for o in outcomes if o["article"] == article and o["exit"] == 0}
        entries = cli.json("history", str(article), "--format", "json")
        notes = [entry["note"] for entry in entries if entry["version"] > 1]
        assert sorted(notes) == sorted(accepted)  # every accepted edit recorded once, nothing else
        assert cli.json("show", str(article), "--format", "json")["version"] == 1 + len(accepted)
