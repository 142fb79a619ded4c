"""The coverage index at the desk's scale: 10,000 stories of the last 48 hours and 1,000 new
entries, half of them another outlet's version of a story held; and clustering 1,000 entries
with one title, and 1,000 distinct entries, from an empty index.

    python benchmarks/coverage.py [--json benchmarks/results/coverage.json]

Reports the import of the text modules (paid once per ``balita fetch``), the index built from
the stories' text and from their signatures, 1,000 queries, how many rewrites were found, and the
two clusterings (each entry matched against those before it, and added when it matched none, as
``balita fetch`` files them). tests/test_text_similarity.py checks what is found on the same
data; the times are here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import machine_info  # noqa: E402

STORIES = 10_000
ENTRIES = 1_000
Story = tuple[str, str]
Words = Callable[[int], list[str]]


def synthetic_stories(count: int, seed: int) -> tuple[list[Story], random.Random, Words]:
    """Seeded stories with made-up words drawn from a Zipf-like vocabulary of 30,000.

    The exponent (0.8) is set so that unrelated stories overlap a little more than unrelated real
    items do (median similarity 0.02 against 0.00 in the corpus feeds, 99th percentile 0.08 against
    0.09): slightly pessimistic for the number of candidates the index must score.
    """
    rng = random.Random(seed)
    syllables = [consonant + vowel for consonant in "bdgklmnprstwy" for vowel in "aeiou"] + ["ng", "an", "in", "on"]
    made_up = ("".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(60_000))
    vocabulary = list(dict.fromkeys(made_up))[:30_000]
    weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(vocabulary))))

    def words(count: int) -> list[str]:
        return rng.choices(vocabulary, cum_weights=weights, k=count)

    stories = []
    for _ in range(count):
        title = words(rng.randint(6, 11))
        if rng.random() < 0.5:
            title.insert(rng.randrange(len(title)), f"{rng.randint(2, 9999):,}")
        stories.append((" ".join(title).capitalize(), " ".join(words(rng.randint(25, 55))) + "."))
    return stories, rng, words


def rewrite(story: Story, rng: random.Random, words: Words) -> Story:
    """Another outlet's version: a headline word dropped, the lead's opening replaced."""
    title, lead = story[0].split(), story[1].split()
    del title[rng.randrange(len(title))]
    return " ".join(title), " ".join(lead[8:] + words(8))


def desk_day() -> tuple[list[Story], list[tuple[Story, int | None]]]:
    """The stories held, and the new entries each with the story it rewrites (None: a fresh one)."""
    stories, rng, words = synthetic_stories(STORIES, seed=20211017)
    fresh, _, _ = synthetic_stories(ENTRIES // 2, seed=7)
    entries: list[tuple[Story, int | None]] = []
    for number in range(ENTRIES):
        if number % 2:
            entries.append((fresh[number // 2], None))
        else:
            source = rng.randrange(len(stories))
            entries.append((rewrite(stories[source], rng, words), source))
    return stories, entries


def import_seconds() -> float:
    """What a fresh process pays to import the similarity measure."""
    code = "import time; t = time.perf_counter(); import balita_cli.text.similarity; print(time.perf_counter() - t)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return float(run.stdout)


def figures() -> dict[str, float | int]:
    from balita_cli.text.similarity import CoverageIndex, signature

    stories, entries = desk_day()
    result: dict[str, float | int] = {"import text.similarity (s)": import_seconds()}
    CoverageIndex().add(0, "warm", "up")
    started = time.perf_counter()
    index = CoverageIndex()
    for number, (title, lead) in enumerate(stories):
        index.add(number, title, lead)
    result["index from text (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    stored = [signature(title, lead) for title, lead in stories]
    result["signatures alone (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    from_store = CoverageIndex()
    for number, data in enumerate(stored):
        from_store.add_signature(number, data)
    result["index from stored signatures (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    found = 0
    for (title, lead), origin in entries:
        best = from_store.best(title, lead)
        found += origin is not None and best is not None and best.story_id == origin
    result[f"{ENTRIES:,} queries (s)"] = time.perf_counter() - started
    result[f"rewrites found of {ENTRIES // 2}"] = found
    same_title = [
        ("Mga mamimili sa Dapitan Market at Quiapo, dagsa na | TV Patrol", f"Upload {n}.") for n in range(1_000)
    ]
    distinct, _, _ = synthetic_stories(CLUSTERED, seed=3)
    for name, entries_of in (("with one title", same_title), ("distinct", distinct)):
        started, cpu = time.perf_counter(), time.process_time()
        stories_made = clustered(entries_of)
        result[f"clustering {CLUSTERED:,} entries {name} (s)"] = time.perf_counter() - started
        result[f"clustering {CLUSTERED:,} entries {name} (CPU s)"] = time.process_time() - cpu
        result[f"stories of {CLUSTERED:,} entries {name}"] = stories_made
    return result


CLUSTERED = 1_000


def clustered(entries: list[Story]) -> int:
    """File entries as ``balita fetch`` does, from an empty index; returns the stories made."""
    from balita_cli.text.similarity import CoverageIndex, signature

    index = CoverageIndex()
    for number, (title, lead) in enumerate(entries):
        data = signature(title, lead)
        found = index.matches_signature(data, limit=1)
        if not found or found[0].score < index.threshold:
            index.add_signature(number, data)
    return len(index)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    options = parser.parse_args(argv)
    measured = figures()
    width = max(map(len, measured))
    for name, value in measured.items():
        shown = f"{value:8.2f}" if isinstance(value, float) else f"{value:8,}"
        print(f"{name:<{width}}  {shown}")  # noqa: T201
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"machine": machine_info(), "figures": measured}
        options.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
