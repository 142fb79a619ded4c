"""The README's tour, replayed top to bottom in a fresh folder: what it shows is what balita prints.

Every ```console block of the README's "A tour" section is a session: a line starting with `$ `
is a command (a line ending in `\\` continues it), and the lines up to the next command are what
it prints, stdout and stderr together, as on a terminal 100 columns wide. A line that is only `…`
stands for any number of lines. The clock is fixed (`BALITA_CLOCK`) and the folder's path is
written as /home/editor/news, so the output is the same on every machine.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.corpora import corpora_path
from tests.helpers.database import on_postgres
from tests.helpers.terminal import run_on_terminal

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SITE = "/home/editor/news"
CLOCK = "2026-11-26 18:00"
ANY = "…"


@dataclass
class Step:
    command: str
    expected: list[str]


def tour_steps(text: str) -> list[Step]:
    section = text.split("## A tour", 1)[1].split("\n## ", 1)[0]
    steps: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section, flags=re.S):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            if not line.startswith("$ "):
                index += 1
                continue
            command = line[2:]
            while command.endswith("\\"):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            index += 1
            expected = []
            while index < len(lines) and not lines[index].startswith("$ "):
                expected.append(lines[index])
                index += 1
            steps.append(Step(command, expected))
    return steps


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line (trailing spaces aside); a line that is only ``…`` takes any number of lines,
    and a ``…`` inside a line any text (a truncated title's own ``…`` among it)."""
    if not expected:
        return not actual
    if expected[0].strip() == ANY:
        return any(matches(expected[1:], actual[start:]) for start in range(len(actual) + 1))
    return bool(actual) and _line_matches(expected[0], actual[0]) and matches(expected[1:], actual[1:])


def _line_matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.rstrip().split(ANY))
    return re.fullmatch(pattern, actual.rstrip()) is not None


def prepare_folder(folder: Path) -> None:
    """Files the tour reads, as a newsroom would have them."""
    (folder / "story.md").write_text(
        "Work to clean up Manila Bay moves to its second phase, the environment department said.\n",
        encoding="utf-8",
    )
    shutil.copyfile(corpora_path("feeds", "ph-news", "philstar.xml"), folder / "philstar.xml")
    _photo(folder / "manila-bay.jpg")


def _photo(path: Path) -> None:
    """A camera-sized JPEG: a sky over water, so the renditions have something to scale."""
    from PIL import Image

    image = Image.new("RGB", (2400, 1600), (70, 130, 180))
    image.paste((20, 60, 110), (0, 900, 2400, 1600))
    image.save(path, quality=85)


@pytest.mark.slow
@pytest.mark.skipif(on_postgres(), reason="the tour is the README's SQLite quick start")
def test_the_readme_tour_prints_what_the_readme_shows(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    prepare_folder(folder)
    steps = tour_steps(README.read_text(encoding="utf-8"))
    assert len(steps) > 10
    env = {key: value for key, value in os.environ.items() if not key.startswith("BALITA_")}
    env.update(BALITA_CLOCK=CLOCK, COLUMNS="100", LINES="50", TERM="dumb", NO_COLOR="1", BALITA_PAGER="cat",
               PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}", HOME=str(tmp_path))  # fmt: skip
    script = tmp_path / "steps.sh"
    for number, step in enumerate(steps, start=1):
        # One shell per step, in the tour's folder; exported variables carry over through a file.
        script.write_text(
            f"cd {folder}\n[ -f ../env ] && . ../env\n{step.command}\nexport -p | grep -E 'BALITA_' > ../env || true\n",
            encoding="utf-8",
        )
        _code, screen = run_on_terminal(["bash", str(script)], env, size=(50, 100), timeout=120)
        actual = [line.replace(str(folder), SITE) for line in screen.replace("\r", "").splitlines()]
        assert matches(step.expected, actual), (
            f"step {number}: $ {step.command}\n--- README\n" + "\n".join(step.expected)
            + "\n--- balita\n" + "\n".join(actual)
        )  # fmt: skip


def test_the_tour_imports_its_feed_as_the_source_it_added() -> None:
    """The source's section, credit and review queue apply only to an import that names it."""
    import shlex

    commands = [shlex.split(step.command, comments=True) for step in tour_steps(README.read_text(encoding="utf-8"))]
    added = [words[3] for words in commands if words[1:3] == ["source", "add"]]
    imports = [words for words in commands if words[1:3] == ["import", "feed"]]
    assert added and imports
    for words in imports:
        assert "--source" in words and words[words.index("--source") + 1] in added, words
