"""Write docs/cli.md from the app's own --help output: `python docs/generate_cli_reference.py`.

tests/test_docs.py fails when the committed page differs from what this produces.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from typer.testing import CliRunner

from balita_cli.cli import app

PAGE = Path(__file__).with_name("cli.md")
WIDTH = "100"
HEADER = """# CLI reference

Generated from `balita --help` and the help of every command by `docs/generate_cli_reference.py`;
a test fails when this page is out of date. Every command also answers `-h`.
"""


def command_paths(command: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every visible command and sub-command, depth first, in the order `--help` lists them."""
    yield prefix
    children = getattr(command, "commands", {})
    for name in children:
        child = children[name]
        if not getattr(child, "hidden", False):
            yield from command_paths(child, (*prefix, name))


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": WIDTH, "TERM": "dumb"})
    if result.exit_code != 0:
        raise RuntimeError(f"balita {' '.join(path)} --help failed: {result.output}")
    return result.stdout.rstrip()


def render() -> str:
    sections = [HEADER]
    for path in command_paths(typer.main.get_command(app)):
        title = " ".join(("balita", *path))
        sections.append(f"## `{title}`\n\n```text\n{help_text(path)}\n```\n")
    return "\n".join(sections)


def main() -> int:
    PAGE.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {PAGE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
