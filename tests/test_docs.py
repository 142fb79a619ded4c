"""The documentation stays true: the CLI reference matches --help, the Quick start has two commands."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cli_reference_is_current() -> None:
    generator = runpy.run_path(str(ROOT / "docs" / "generate_cli_reference.py"))
    expected = generator["render"]()
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    # Whitespace folded: how Typer pads columns is not what the reference documents.
    assert committed.split() == expected.split(), "docs/cli.md is stale: run `python docs/generate_cli_reference.py`"


def test_every_command_has_help_and_an_example() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    blocks = re.findall(r"## `(balita[^`]*)`\n\n```text\n(.*?)```", page, flags=re.S)
    leaf_blocks = [(name, text) for name, text in blocks if "Commands:" not in text]
    assert len(leaf_blocks) > 20
    for name, text in leaf_blocks:
        assert "Example" in text, f"{name} has no example in its help"


def test_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh|console)?\n(.*?)```", section, flags=re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(commands) == 2
    assert "balita init --demo" in commands[0] and "balita list" in commands[0]
    assert ".[test]" in commands[1] and "pytest" in commands[1]


def test_format_tables_are_made_from_the_registries() -> None:
    generator = runpy.run_path(str(ROOT / "docs" / "generate_format_tables.py"))
    assert not generator["stale"](), "a table of formats is stale: run python docs/generate_format_tables.py"


def test_field_table_is_made_from_the_schema() -> None:
    generator = runpy.run_path(str(ROOT / "docs" / "generate_field_table.py"))
    assert not generator["stale"](), "docs/scripting.md's field table is stale: run python docs/generate_field_table.py"
    page = (ROOT / "docs" / "scripting.md").read_text(encoding="utf-8")
    from balita_cli.schema import RECORD_FIELDS

    assert all(f"| `{name}` |" in page for name in RECORD_FIELDS)
