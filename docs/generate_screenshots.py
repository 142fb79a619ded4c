"""Render `balita list` and `balita stats` on the demo site to SVG pictures for the docs.

`python docs/generate_screenshots.py` writes docs/screenshots/*.svg; `--check` (run by the
MkDocs build through docs/hooks.py, and by the tests) fails when they differ from what the app
prints now. The demo site is built at a fixed clock so the pictures are reproducible.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from balita_cli import console
from balita_cli.cli import app

FOLDER = Path(__file__).with_name("screenshots")
CLOCK = "2026-11-26 18:00"
WIDTH = "100"
SHOTS = {
    "list.svg": ("balita list", ["list"]),
    "list-scheduled.svg": ("balita list --status scheduled", ["list", "--status", "scheduled"]),
    "search.svg": ("balita search coast guard", ["search", "coast guard"]),
    "stats.svg": ("balita stats --days 7", ["stats", "--days", "7"]),
}


def render() -> dict[str, str]:
    """Each picture's SVG text, from a fresh demo site in a temporary folder."""
    runner = CliRunner()
    pictures: dict[str, str] = {}
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="balita-shots-") as folder:
        os.chdir(folder)
        try:
            env = {"BALITA_CLOCK": CLOCK, "BALITA_WIDTH": WIDTH, "NO_COLOR": None, "BALITA_DATABASE_URL": None,
                   "BALITA_SITE": None, "BALITA_USER": "desk"}  # fmt: skip
            _run(runner, ["--quiet", "init", "--demo"], env)
            # What goes to stdout is drawn on a recording console, as on a terminal.
            terminal = console.make_console(record=True, force_terminal=True, width=int(WIDTH))
            with console.capture(terminal):
                for name, (title, args) in SHOTS.items():
                    _run(runner, args, env)
                    pictures[name] = terminal.export_svg(title=title, clear=True)
        finally:
            os.chdir(previous)
    return pictures


def _run(runner: CliRunner, args: list[str], env: dict[str, str | None]) -> None:
    result = runner.invoke(app, args, env=env)
    if result.exit_code != 0:
        raise RuntimeError(f"balita {' '.join(args)} failed: {result.stderr or result.exception}")


def visible_text(svg: str) -> str:
    """What the picture shows: the text of its <text> elements, whitespace folded. Comparing this
    rather than the bytes keeps a new Rich release's drawing details from counting as stale."""
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return " ".join(html.unescape("".join(texts)).split())


def stale() -> list[str]:
    return [
        name
        for name, svg in render().items()
        if not (FOLDER / name).is_file()
        or visible_text((FOLDER / name).read_text(encoding="utf-8")) != visible_text(svg)
    ]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        if names:
            sys.stderr.write(f"stale screenshots: {', '.join(names)}; run python docs/generate_screenshots.py\n")
            return 1
        return 0
    FOLDER.mkdir(exist_ok=True)
    for name, svg in render().items():
        (FOLDER / name).write_text(svg, encoding="utf-8")
        sys.stdout.write(f"wrote {FOLDER / name}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
