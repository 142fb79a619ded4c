"""The `balita` entry point: answers `--version` before loading the command line at all."""

from __future__ import annotations

import gc
import sys

from balita_cli import __version__
from balita_cli.cli import main as run


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"balita {__version__}\n")
        return
    # httpx loads its own command-line client when it can (click, Rich, Pygments), which balita
    # never runs: a None entry makes that import fail at once, as if it were not installed.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

    try:
        run()
    finally:
        # The command is over and its files are closed: what is left is the interpreter's
        # teardown, whose garbage collection would walk every object the imports made.
        gc.freeze()
