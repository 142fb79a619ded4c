"""Prompts only where a person is present: on a pseudo-terminal `new` asks; with stdin closed it never does."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from balita_cli.services.documents import PLACEHOLDER
from tests.conftest import Cli

EDITOR_SCRIPT = f"""
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = text.replace({PLACEHOLDER!r}, "Body written in the editor.")
open(path, "w", encoding="utf-8").write(text)
"""


def run_on_terminal(args: list[str], answers: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    """Run balita with a pseudo-terminal as stdin/stdout/stderr, answering each prompt in turn."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "balita_cli", *args],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    screen, pending, deadline = b"", list(answers), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if pending and screen.rstrip().endswith(b":"):
                os.write(leader, (pending.pop(0) + "\n").encode())
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    return process.returncode, screen.decode("utf-8", "replace")


@pytest.mark.slow
def test_new_on_a_terminal_asks_then_opens_the_editor(cli: Cli, tmp_path: Path) -> None:
    cli.new("Existing story", "--section", "Politics", "--tag", "Senate")
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT, encoding="utf-8")
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "EDITOR": f"{sys.executable} {editor}", "TERM": "dumb"}
    code, screen = run_on_terminal(["new"], ["Barangay polls set for May", "Politics", "Senate, Elections"], env)
    assert code == 0, screen
    assert "Known: Politics" in screen and "Senate" in screen
    created = cli.json("show", "barangay-polls-set-for-may", "--format", "json")
    assert created["section"] == "Politics"
    assert created["tags"] == ["Elections", "Senate"]
    assert created["body"] == "Body written in the editor."


def test_new_without_a_terminal_never_prompts(cli: Cli) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "balita_cli", "new"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        env={**os.environ, "BALITA_DATABASE_URL": cli.db_url},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "error: title cannot be empty (give it as the first argument)"
    assert cli.ok("list", "--format", "count").stdout == "0\n"


def test_no_input_refuses_even_on_a_terminal(cli: Cli) -> None:
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "TERM": "dumb"}
    code, screen = run_on_terminal(["new", "--no-input"], [], env)
    assert code == 1
    assert "error: title cannot be empty" in screen
    assert "Title" not in screen.split("error:")[0]
