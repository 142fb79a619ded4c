"""The `balita` entry point: answers `--version` before loading the command line at all, and
starts the fetching process for a command that fetches before loading the command line."""

from __future__ import annotations

import gc
import sys

# Global options of ``balita`` that take a value (cli/__init__.py; a test keeps the two equal).
VALUE_OPTIONS = frozenset({"--db", "--site", "--as", "--clock"})
FETCHING = frozenset({"fetch"})


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from balita_cli import __version__

        sys.stdout.write(f"balita {__version__}\n")
        return
    fetching = command_word(sys.argv[1:]) in FETCHING
    if fetching:
        from balita_cli.net import fetcher

        fetcher.start(sys.argv[1:])
    from balita_cli.cli import main as run

    try:
        run()
    finally:
        if fetching:
            fetcher.end()
        # The command is over and its files are closed; what is left is the interpreter's
        # teardown, whose garbage collection walks every object the imports made (~20 ms for a
        # command that loaded the HTTP client). Frozen objects are left for the OS to reclaim.
        gc.freeze()


def command_word(argv: list[str]) -> str | None:
    """The command ``balita`` is asked to run: the first word that is neither a global option nor
    the value of one."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if not word.startswith("-"):
            return word
        if word in VALUE_OPTIONS:
            next(words, None)
    return None
