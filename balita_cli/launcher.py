"""The `balita` entry point: answers `--version` before loading the command line at all."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from balita_cli import __version__

        sys.stdout.write(f"balita {__version__}\n")
        return
    from balita_cli.cli import main as run

    try:
        run()
    finally:
        # The command is over and its files are closed; what is left is the interpreter's
        # teardown, whose garbage collection walks every object the imports made (~20 ms for a
        # command that loaded the HTTP client). Frozen objects are left for the OS to reclaim.
        gc.freeze()
