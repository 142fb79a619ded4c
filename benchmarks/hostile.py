"""What hostile input costs: the figures the tests leave out of their verdicts.

    python benchmarks/hostile.py [--runs 3] [--json benchmarks/results/hostile.json]

The tests check what balita does with hostile input (it refuses, cuts or shows it, in one line,
without a traceback); how long that takes is measured here and reported, never asserted:

1. **Images**: a decompression bomb refused by ``inspect_image`` from its header, with the
   growth of this process's peak memory.
2. **Text**: the excerpt and word count of pathological copy, and the coverage index reading
   pathological headlines and leads (in this process, median of ``--runs``).
3. **Commands**: ``show``, ``list --format jsonl`` and ``export rss`` of a story whose body is a
   pathological run of markup, each next to the same command on a plain story; a search in a
   body of a million characters; a YAML alias bomb imported; a decompression bomb refused by
   ``media add``. Whole processes on a SQLite file (``measure.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import Measurement, measure  # noqa: E402
from benchmarks.report import machine_info  # noqa: E402

IMAGES = ROOT / "tests" / "fixtures" / "images"
BALITA_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "NO_COLOR", "BALITA_CLOCK")

# Copy an excerpt is cut from and whose words are counted.
HOSTILE_COPY = {
    "openers": "<" * 50_000,
    "brackets": "[" * 50_000,
    "backticks": "`" * 50_001,
    "autolinks": "<http:" * 20_000,
    "links": "[Senate approves](https://x.y/z) " * 20_000,
    "one long paragraph": "salita " * 100_000,
    "list lines": "- item\n" * 50_000,
    "emphasis": "**a " * 50_000,
    "titles": "Sen. " * 50_000,
    "paragraphs": "Isa.\n\n" * 50_000,
    "control characters": "\x00\x1b[31m\u202e\ufeff " * 10_000,
}
# Headlines and leads the coverage index reads.
HOSTILE_TEXT = {
    "openers": "<" * 100_000,
    "entities": "&amp;" * 50_000,
    "autolinks": "<http:" * 30_000,
    "figures": "P1.2B " * 50_000,
    "combining marks": "\u0301" * 50_000,
    "separators": "| " * 50_000,
    "one long word": "salita" * 100_000,
}
# Article bodies that are one pathological run of markup.
PATHOLOGICAL_BODIES = {
    "brackets": "[" * 30_000,
    "unclosed links": "[a](" * 8_000,
    "openers": "<" * 30_000,
    "divs": "<div>" * 100_000,
    "emphasis": "*_" * 400_000,
    "images": "![" * 400_000,
    "entities": "&#" * 400_000,
}
# A body just under balita's limit of 1,000,000 characters, and a word to search it for.
MEGABYTE_BODY = ("typhoon " + "salita " * 50 + "\n\n") * 2500


def yaml_alias_bomb(levels: int = 9) -> str:
    """Front matter whose tags expand to 9**levels strings when its aliases are followed."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for number in range(1, levels):
        previous, name = chr(ord("a") + number - 1), chr(ord("a") + number)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "---\ntitle: Bomb\n" + "\n".join(lines) + f"\ntags: *{chr(ord('a') + levels - 1)}\n---\nBody\n"


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def seconds(action: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------- text


def text_figures(runs: int) -> dict[str, float]:
    from balita_cli.text.excerpt import DEFAULT_MAX_WORDS, count_words, excerpt
    from balita_cli.text.similarity import CoverageIndex, similarity, story_text

    figures = {}
    for name, copy in HOSTILE_COPY.items():
        figures[f"excerpt of {name}"] = seconds(partial(excerpt, copy, DEFAULT_MAX_WORDS), runs)
        figures[f"words counted in {name}"] = seconds(partial(count_words, copy), runs)

    def read(text: str) -> None:
        index = CoverageIndex()
        index.add(1, text, text)
        index.matches(text, text)
        similarity(story_text(text, text), text)

    CoverageIndex().add(0, "warm", "up")  # imports the text modules once, outside the figures
    for name, text in HOSTILE_TEXT.items():
        figures[f"coverage index reads {name}"] = seconds(partial(read, text), runs)
    return figures


def image_figures(runs: int) -> dict[str, float]:
    from balita_cli.errors import InvalidInput
    from balita_cli.media import inspect_image

    bomb = (IMAGES / "bomb.png").read_bytes()

    def refuse() -> None:
        try:
            inspect_image(bomb, name="bomb.png")
        except InvalidInput:
            return
        raise SystemExit("the decompression bomb was accepted")

    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    refusing = seconds(refuse, runs)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    return {"decompression bomb refused (ms)": refusing * 1000, "peak memory grown refusing it (MiB)": grown / 1024}


# ---------------------------------------------------------------- commands


class Newsroom:
    """A SQLite newsroom in a folder of its own, driven by whole ``balita`` processes."""

    def __init__(self, folder: Path, runs: int) -> None:
        self.folder, self.runs = folder, runs
        self.env = {key: value for key, value in os.environ.items() if key not in BALITA_ENV}
        self.env |= {"BALITA_DATABASE_URL": f"sqlite:///{folder / 'balita.db'}", "BALITA_USER": "benchmark"}
        self.results: list[Measurement] = []

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "balita_cli", *args], cwd=self.folder, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"balita {' '.join(args[:2])} failed: {done.stderr.strip()[-300:]}")
        return done.stdout

    def new(self, title: str, body: str) -> str:
        """A published story; its body goes through a file (it is longer than a command line may be)."""
        path = self.folder / "body.md"
        path.write_text(body, encoding="utf-8")
        return self.run("new", title, "--status", "published", "--body-file", str(path), "--porcelain").strip()

    def time(self, operation: str, *args: str) -> float:
        command = [sys.executable, "-m", "balita_cli", *args]
        measured = measure(operation, "sqlite", None, command, cwd=self.folder, env=self.env, runs=self.runs)
        self.results.append(measured)
        say(f"  {operation}: {measured.error or f'{measured.median:.3f} s'}")
        return measured.median


def command_figures(folder: Path, runs: int) -> tuple[dict[str, float], list[Measurement]]:
    newsroom = Newsroom(folder, runs)
    newsroom.run("db", "upgrade")
    plain = newsroom.new("Plain", "A short body.")
    figures = {
        "show, a plain story": newsroom.time("show plain", "show", plain),
        "list --format jsonl, plain stories": newsroom.time("list plain", "list", "--format", "jsonl"),
        "export rss, plain stories": newsroom.time("export plain", "export", "rss"),
    }
    for name, body in PATHOLOGICAL_BODIES.items():
        hostile = newsroom.new(f"Hostile {name}", body)
        figures[f"show, a body of {name}"] = newsroom.time(f"show {name}", "show", hostile)
        figures[f"list --format jsonl, with {name}"] = newsroom.time(f"list {name}", "list", "--format", "jsonl")
        figures[f"export rss, with {name}"] = newsroom.time(f"export {name}", "export", "rss")
        newsroom.run("delete", hostile, "--purge", "--yes")
    newsroom.new("Huge", MEGABYTE_BODY)
    figures["search in a body of a million characters"] = newsroom.time("search huge", "search", "typhoon")
    bomb = folder / "bomb"
    bomb.mkdir()
    (bomb / "bomb.md").write_text(yaml_alias_bomb(), encoding="utf-8")
    figures["a YAML alias bomb imported (refused)"] = newsroom.time("import bomb", "import", "markdown", str(bomb))
    figures["media add of a decompression bomb (refused)"] = media_add_bomb(newsroom)
    return figures, newsroom.results


def media_add_bomb(newsroom: Newsroom) -> float:
    """``media add bomb.png`` exits 1: timed here as one process (``measure`` stops at a failure)."""
    times = []
    for _ in range(newsroom.runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "balita_cli", "media", "add", str(IMAGES / "bomb.png")],
            cwd=newsroom.folder,
            env=newsroom.env,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 1:
            raise SystemExit(f"media add of the bomb exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return statistics.median(times)


# ---------------------------------------------------------------- report


def render(sections: dict[str, dict[str, float]]) -> str:
    lines = []
    for section, figures in sections.items():
        lines.append(section)
        width = max(map(len, figures))
        lines += [f"  {name:<{width}}  {value:8.3f}" for name, value in figures.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Runs of each figure (the median is reported).")
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    options = parser.parse_args(argv)
    say("images…")  # first, while this process's peak memory is still its own start-up's
    sections = {"images": image_figures(options.runs)}
    say("text…")
    sections["text (seconds)"] = text_figures(options.runs)
    say("commands…")
    with tempfile.TemporaryDirectory(prefix="balita-hostile-") as folder:
        sections["commands (seconds, whole processes)"], measured = command_figures(Path(folder), options.runs)
    print(render(sections))  # noqa: T201
    if options.json:
        document: dict[str, Any] = {"machine": machine_info(), "figures": sections}
        document["measurements"] = [m.as_json() for m in measured]
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
