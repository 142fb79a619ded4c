"""Prompts only where a person is present: on a pseudo-terminal `new` asks; with stdin closed it never does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from balita_cli.services.documents import PLACEHOLDER
from tests.helpers.cli import Cli
from tests.helpers.terminal import balita_on_terminal

EDITOR_SCRIPT = f"""
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = text.replace({PLACEHOLDER!r}, "Body written in the editor.")
open(path, "w", encoding="utf-8").write(text)
"""


@pytest.mark.slow
def test_new_on_a_terminal_asks_then_opens_the_editor(cli: Cli, tmp_path: Path) -> None:
    cli.new("Existing story", "--section", "Politics", "--tag", "Senate")
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT, encoding="utf-8")
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "EDITOR": f"{sys.executable} {editor}", "TERM": "dumb"}
    answers = ["Barangay polls set for May", "Politics", "Senate, Elections"]
    code, screen = balita_on_terminal(["new"], env, answers=answers)
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
    code, screen = balita_on_terminal(["new", "--no-input"], env)
    assert code == 1
    assert "error: title cannot be empty" in screen
    assert "Title" not in screen.split("error:")[0]
