"""The `balita` entry point: answers `--version` before loading the command line at all."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from balita_cli import __version__

        sys.stdout.write(f"balita {__version__}\n")
        return
    from balita_cli.cli import main as run

    run()
