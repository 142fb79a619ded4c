"""Related coverage (balita_cli.text.similarity): the measure, its threshold on real wording, the index.

The threshold test prints its table (run with ``-s`` to see it on success): every same-story pair
of tests/fixtures/coverage/pairs.json at or above DEFAULT_THRESHOLD, every different-story pair
below it, and the margins on both sides.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balita_cli.errors import InvalidInput
from balita_cli.text.normalise import STOPWORDS, first_paragraph, headline, normalise
from balita_cli.text.similarity import (
    DEFAULT_THRESHOLD,
    FIGURES_DIFFER_FACTOR,
    LEAD_TOKENS,
    LEAD_WORDS,
    MAX_CANDIDATES,
    SIGNATURE_MAGIC,
    TITLE_TOKENS,
    TITLE_WEIGHT,
    CoverageIndex,
    Match,
    figures_differ,
    signature,
    similarity,
    story_text,
)
from benchmarks.coverage import desk_day, rewrite, synthetic_stories
from benchmarks.hostile import HOSTILE_TEXT
from tests.helpers.corpora import corpora_path

FIXTURES = Path(__file__).parent / "fixtures" / "coverage"
PH_NEWS = ("feeds", "ph-news")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(name: str) -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["pairs"]
    return pairs


PAIRS = load("pairs.json")
MISSES = load("known_misses.json")


def text(side: dict[str, str]) -> str:
    return story_text(side["title"], side["lead"])


def score(pair: dict[str, Any]) -> float:
    return similarity(text(pair["a"]), text(pair["b"]))


def table(rows: list[tuple[float, dict[str, Any]]]) -> str:
    lines = [f"{'score':>6}  {'same':5}  pair"]
    for value, pair in sorted(rows, key=lambda row: (not row[1]["same"], -row[0])):
        lines.append(f"{value:6.3f}  {pair['same']!s:5}  {pair['id']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Parañaque", "paranaque"),
        ("PARAÑAQUE CITY, São Tomé", "paranaque city sao tome"),
        ("<p>Senate OKs <b>P20.5-billion</b> budget</p>", "senate oks 20.5 billion budget"),
        (
            "DOH logs 6,913 new COVID-19 cases; total caseload at 2,720,368",
            "doh logs 6913 new covid 19 cases total caseload 2720368",
        ),
        ("Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;", "tom jerry alert 1"),
        ("Maglalabas ang mga mayor ng resolution sa Lunes", "maglalabas mayor resolution lunes"),
        ("The Department of Health said it is ready", "department health ready"),
        ("₱1.2B, P1.2 bilyon, PHP 1.2-billion, P1.2bn", "1.2 billion 1.2 billion 1.2 billion 1.2 billion"),
        ("down by 70% in a month", "down 70 percent month"),
        ("DICT's budget: gov't says", "dict budget govt"),
        ("ＣＯＶＩＤ－１９ ﬁles", "covid 19 files"),
        ("“Inhuman”: TUCP — read https://www.philstar.com/x?y=1 now", "inhuman tucp read now"),
        ("Signal No. 3 up over Cagayan", "signal no 3 up over cagayan"),
        ("Top 20 list; shop 5", "top 20 list shop 5"),
        ("", ""),
        ("the of sa ng ang", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_stopwords_are_short_and_lower_case() -> None:
    assert {"ang", "ng", "sa", "mga", "na", "si", "ni", "ay", "at", "the", "a", "of"} <= STOPWORDS
    assert len(STOPWORDS) < 100
    assert all(word.isascii() and word.isalpha() and word.islower() for word in STOPWORDS)
    assert not STOPWORDS & {"no", "not", "hindi", "walang", "billion", "percent"}  # they change the story


@FUZZ
@given(st.text())
def test_normalise_is_idempotent(raw: str) -> None:
    # The index scores tokens, similarity() re-normalises story_text output: they agree because
    # normalising normalised text changes nothing.
    once = normalise(raw)
    assert normalise(once) == once
    assert "|" not in once and "  " not in once


# ---------------------------------------------------------------- story_text


def test_story_text_weights_the_title_and_takes_the_start_of_the_lead() -> None:
    words = ["".join("abcdefghij"[int(digit)] for digit in f"w{index:03}"[1:]) for index in range(200)]
    result = story_text("Ginebra edges Meralco | TV Patrol", " ".join(words))
    headline, separator, opening = result.partition(" | ")
    assert separator
    assert headline == " ".join(["ginebra edges meralco"] * TITLE_WEIGHT)
    assert opening.split() == words[:LEAD_WORDS]


def test_story_text_reads_only_the_first_paragraph_of_the_lead() -> None:
    feed = corpora_path(*PH_NEWS, "abscbnnews.xml").read_text(encoding="utf-8")
    assert "Subscribe to the ABS-CBN News channel" in feed
    lead = "Nag-ala-'Squid Game' characters ang ilang climber.\n\nSubscribe to the ABS-CBN News channel!"
    assert first_paragraph(lead).startswith("Nag-ala")
    assert "subscribe" not in story_text("Squid Game sa Mount Apo", lead)
    assert first_paragraph("<p></p><p>Second</p><p>Third</p>") == "<p>Second"
    assert first_paragraph("line one<br><br>line two") == "line one"
    assert first_paragraph("") == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "15 bahay, barangay hall sa Bakun, Benguet apektado ng landslide | TV Patrol",
            "15 bahay, barangay hall sa Bakun, Benguet apektado ng landslide",
        ),
        ("TV Patrol Playback | October 17, 2021", "TV Patrol Playback | October 17, 2021"),
        ("Breaking | Senate approves budget", "Breaking | Senate approves budget"),
        ("Senate approves P20.5-billion DICT budget | Philstar.com", "Senate approves P20.5-billion DICT budget"),
        (
            "  Extravagant campaigning amid pandemic might turn off voters --analyst",
            "Extravagant campaigning amid pandemic might turn off voters --analyst",
        ),
        ("|", "|"),
        (" | ", "|"),
    ],
)
def test_headline_drops_a_programme_label(title: str, expected: str) -> None:
    assert headline(title) == expected


def test_story_text_of_nothing_is_a_bare_separator() -> None:
    assert story_text("", "") == " | "
    assert similarity(story_text("", ""), story_text("", "")) == 0.0


# ---------------------------------------------------------------- similarity


def test_similarity_of_a_story_with_itself_is_one() -> None:
    for pair in PAIRS:
        assert similarity(text(pair["a"]), text(pair["a"])) == 1.0


@FUZZ
@given(st.text(max_size=200), st.text(max_size=200))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    forward, backward = similarity(a, b), similarity(b, a)
    assert forward == backward
    assert 0.0 <= forward <= 1.0


def test_raw_text_compares_like_its_story_text() -> None:
    title = "Robredo wants stimulus package for MSMEs"
    assert similarity(title, normalise(title)) == 1.0


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [
        (["20.5", "2022"], ["24.1", "2022"], True),  # two agencies' budgets, the same year
        (["87", "83", "2", "1"], ["110", "92", "2", "1"], True),  # two game scores
        (["6913", "19"], ["6913", "19", "2720368"], False),  # one headline adds the total
        (["23", "17"], ["23"], False),
        ([], ["3"], False),
        ([], [], False),
    ],
)
def test_figures_differ(a: list[str], b: list[str], differ: bool) -> None:
    assert figures_differ(a, b) is differ
    assert figures_differ(b, a) is differ


# ---------------------------------------------------------------- the threshold, from real wording


def test_fixtures_hold_what_the_brief_asks_and_corpus_sides_are_verbatim() -> None:
    import feedparser

    same = [pair for pair in PAIRS if pair["same"]]
    different = [pair for pair in PAIRS if not pair["same"]]
    assert len(same) >= 6 and len(different) >= 6
    assert len({pair["id"] for pair in PAIRS + MISSES}) == len(PAIRS + MISSES)
    verbatim: dict[str, list[tuple[str, str]]] = {}
    for pair in PAIRS + MISSES:
        for side in (pair["a"], pair["b"]):
            assert side["title"].strip() and side["lead"].strip() and side["outlet"]
            origin = side["origin"]
            if origin == "written":
                continue
            kind, _, name = origin.partition(" ")
            assert kind == "corpus", origin
            if name not in verbatim:
                parsed = feedparser.parse(str(corpora_path(*PH_NEWS, *name.split("/"))))
                verbatim[name] = [
                    (" ".join(entry.title.split()), " ".join(entry.summary.split())) for entry in parsed.entries
                ]
            title, lead = " ".join(side["title"].split()), " ".join(side["lead"].split())
            assert any(title == t and s.startswith(lead) for t, s in verbatim[name]), (pair["id"], side["title"])


def test_threshold_separates_one_story_from_one_topic() -> None:
    rows = [(score(pair), pair) for pair in PAIRS]
    weakest_same = min(value for value, pair in rows if pair["same"])
    strongest_different = max(value for value, pair in rows if not pair["same"])
    report = (
        f"{table(rows)}\nthreshold {DEFAULT_THRESHOLD:.2f}: weakest same-story pair {weakest_same:.3f} "
        f"(margin {weakest_same - DEFAULT_THRESHOLD:+.3f}), strongest different-story pair "
        f"{strongest_different:.3f} (margin {DEFAULT_THRESHOLD - strongest_different:+.3f})"
    )
    print(f"\n{report}")  # noqa: T201
    for value, pair in rows:
        assert (value >= DEFAULT_THRESHOLD) is pair["same"], f"{pair['id']} scored {value:.3f}\n{report}"
    # Exact scores sit a little under the MinHash estimates once used: the weakest same-story pair
    # (robredo-stimulus) is 0.241.
    assert weakest_same - DEFAULT_THRESHOLD >= 0.04, report
    assert DEFAULT_THRESHOLD - strongest_different >= 0.05, report


def test_headline_figures_keep_template_stories_apart() -> None:
    for name in ("senate-budget-agencies", "pba-recaps", "covid-bulletin-next-day", "covid-daily-count-other-day"):
        pair = next(pair for pair in PAIRS if pair["id"] == name)
        words_only = similarity(*(re.sub(r"\d[\d.]*", " ", text(pair[side])) for side in ("a", "b")))
        if name != "covid-daily-count-other-day":  # the words alone would make these one story
            assert words_only >= DEFAULT_THRESHOLD, (name, words_only)
        assert score(pair) <= FIGURES_DIFFER_FACTOR, name
        index = CoverageIndex()
        index.add(1, pair["b"]["title"], pair["b"]["lead"])
        (match,) = index.matches(pair["a"]["title"], pair["a"]["lead"])
        assert match.figures_differ and index.best(pair["a"]["title"], pair["a"]["lead"]) is None


def test_known_misses_are_still_misses() -> None:
    rows = [(score(pair), pair) for pair in MISSES]
    print(f"\nknown misses (Filipino against English):\n{table(rows)}")  # noqa: T201
    for value, pair in rows:
        assert value < DEFAULT_THRESHOLD, f"{pair['id']} now matches ({value:.3f}): move it to pairs.json"


def corpus_items() -> list[tuple[str, str]]:
    import feedparser

    items: dict[str, str] = {}
    for name in ("philstar.xml", "gmanews.xml", "philstar-history/69cdbe2eb6/philstar.xml", "abscbnnews.xml"):
        for entry in feedparser.parse(str(corpora_path(*PH_NEWS, *name.split("/")))).entries:
            items.setdefault(" ".join(entry.title.split()), entry.get("summary", ""))
    return list(items.items())


def test_real_feeds_hold_no_false_pair() -> None:
    # Every pair of distinct items in the real Philstar, GMA and ABS-CBN feeds of one Sunday: the
    # only pairs at or above the threshold are the two stories both Philstar and GMA carried and
    # ABS-CBN's two uploads of that evening's TV Patrol ("Playback", "Full Episode Replay").
    items = corpus_items()
    texts = {title: story_text(title, lead) for title, lead in items}
    rows = sorted(((similarity(texts[a], texts[b]), a, b) for a, b in itertools.combinations(texts, 2)), reverse=True)
    top = "\n".join(f"{value:6.3f}  {a[:50]!r} ~ {b[:50]!r}" for value, a, b in rows[:5])
    print(f"\n{len(items)} real items, {len(rows)} pairs; the highest:\n{top}")  # noqa: T201
    matched = {frozenset((a.split()[0], b.split()[0])) for value, a, b in rows if value >= DEFAULT_THRESHOLD}
    assert matched == {frozenset(("DOH", "Philippines")), frozenset(("Robredo",)), frozenset(("TV",))}, top
    assert rows[3][0] < DEFAULT_THRESHOLD - 0.05, top


# ---------------------------------------------------------------- the index


def test_index_scores_are_similarity_scores() -> None:
    # The buckets decide only what is looked at: a story as close as the threshold is a candidate
    # with probability above 0.99, one of similarity 0.05 with about 0.3; what is listed has its exact score.
    for pair in PAIRS:
        index = CoverageIndex()
        index.add(7, pair["b"]["title"], pair["b"]["lead"])
        found = index.matches(pair["a"]["title"], pair["a"]["lead"])
        assert [m.score for m in found] == [score(pair)] or (not found and score(pair) < 0.1), pair["id"]
        best = index.best(pair["a"]["title"], pair["a"]["lead"])
        assert (best is not None) is pair["same"], pair["id"]


def test_desk_finds_the_other_version_among_the_days_stories() -> None:
    # One index of every story in the fixtures and the real feeds, as the desk holds the last 48
    # hours; each fixture story is then fetched again as a new entry.
    stories: dict[str, int] = {}  # story_text -> id: an item and its first paragraph are one story
    index = CoverageIndex()
    for title, lead in corpus_items() + [(s["title"], s["lead"]) for pair in PAIRS for s in (pair["a"], pair["b"])]:
        if story_text(title, lead) not in stories:
            stories[story_text(title, lead)] = len(stories) + 1
            index.add(len(stories), title, lead)
    assert len(index) == len(stories)
    # Versions of one story: the same-story pairs joined (three outlets carry the TUCP statement).
    story_of = {story_id: story_id for story_id in stories.values()}

    def root(story_id: int) -> int:
        while story_of[story_id] != story_id:
            story_id = story_of[story_id]
        return story_id

    def ids(pair: dict[str, Any]) -> tuple[int, int]:
        return stories[text(pair["a"])], stories[text(pair["b"])]

    events: dict[str, int] = {}
    for pair in PAIRS:
        if pair["same"]:
            first, second = ids(pair)
            story_of[root(first)] = root(second)
            event = events.setdefault(pair.get("event", pair["id"]), second)
            story_of[root(second)] = root(event)
    for pair in PAIRS:
        own, other = ids(pair)
        found = [m for m in index.matches(pair["a"]["title"], pair["a"]["lead"], limit=4) if m.story_id != own]
        best = found[0] if found and found[0].score >= DEFAULT_THRESHOLD else None
        if pair["same"]:
            assert best is not None and root(best.story_id) == root(own), (pair["id"], found)
        else:
            assert best is None or root(best.story_id) != root(other), (pair["id"], found)


def test_matches_are_best_first_and_limited() -> None:
    index = CoverageIndex()
    same = next(pair for pair in PAIRS if pair["id"] == "maring-death-toll")
    index.add(1, same["b"]["title"], same["b"]["lead"])
    index.add(2, same["a"]["title"], same["a"]["lead"])
    index.add(3, "Maring death toll climbs", "Severe Tropical Storm Maring deaths reported by the NDRRMC on Sunday.")
    index.add(4, "PBA: Ginebra edges Meralco", "Ginebra beat Meralco on Sunday.")
    found = index.matches(same["a"]["title"], same["a"]["lead"], limit=10)
    assert [m.story_id for m in found][:2] == [2, 1]
    assert found[0].score == 1.0
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert 4 not in {m.story_id for m in found if m.score > 0.1}
    assert len(index.matches(same["a"]["title"], same["a"]["lead"], limit=2)) == 2
    assert index.matches(same["a"]["title"], same["a"]["lead"], limit=0) == []
    with pytest.raises(InvalidInput):
        index.matches("x", "y", limit=-1)


def test_ties_go_to_the_older_story() -> None:
    title, lead = "Robredo wants stimulus package for MSMEs", "Vice President Leni Robredo on Sunday."
    index = CoverageIndex()
    for story_id in (9, 4, 6):
        index.add(story_id, title, lead)
    assert [m.story_id for m in index.matches(title, lead)] == [4, 6, 9]
    assert index.best(title, lead) == Match(4, 1.0)


def test_adding_an_id_again_replaces_the_story() -> None:
    index = CoverageIndex()
    index.add(1, "Robredo wants stimulus package for MSMEs", "")
    index.add(1, "Ginebra edges Meralco, 87-83", "")
    assert len(index) == 1 and 1 in index and 2 not in index
    assert index.best("Robredo wants stimulus package for MSMEs", "") is None
    assert index.best("Ginebra edges Meralco, 87-83", "") == Match(1, 1.0)


@pytest.mark.parametrize(("title", "lead"), [("", ""), ("the of sa ng", "ang mga"), ("<b></b>", "&amp;"), ("|", " | ")])
def test_a_story_without_words_matches_nothing(title: str, lead: str) -> None:
    index = CoverageIndex()
    index.add(1, title, lead)
    index.add(2, "Robredo wants stimulus package", "")
    assert index.matches(title, lead) == []
    assert index.best(title, lead) is None
    assert [m.story_id for m in index.matches("Robredo wants stimulus package", "")] == [2]


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.01, float("nan")])
def test_threshold_must_be_a_fraction(threshold: float) -> None:
    with pytest.raises(InvalidInput):
        CoverageIndex(threshold)


def test_an_index_with_its_own_threshold() -> None:
    pair = next(pair for pair in PAIRS if pair["id"] == "alert-level-3-ncr")
    value = score(pair)
    loose, strict = CoverageIndex(value), CoverageIndex(min(1.0, value + 0.01))
    for index in (loose, strict):
        index.add(1, pair["b"]["title"], pair["b"]["lead"])
    assert loose.best(pair["a"]["title"], pair["a"]["lead"]) == Match(1, value)
    assert strict.best(pair["a"]["title"], pair["a"]["lead"]) is None


# ---------------------------------------------------------------- signatures


def test_signatures_persist_the_index() -> None:
    from_text, from_bytes = CoverageIndex(), CoverageIndex()
    for number, pair in enumerate(PAIRS):
        from_text.add(number, pair["b"]["title"], pair["b"]["lead"])
        stored = signature(pair["b"]["title"], pair["b"]["lead"])
        from_bytes.add_signature(number, bytearray(stored) if number % 2 else memoryview(stored).tobytes())
    for pair in PAIRS:
        title, lead = pair["a"]["title"], pair["a"]["lead"]
        assert from_text.matches(title, lead) == from_bytes.matches(title, lead)


def test_signature_layout_and_stability() -> None:
    title, lead = "Senate panel OKs DICT's P20.5-billion budget for 2022", "The Senate finance subcommittee..."
    data = signature(title, lead)
    assert data.startswith(SIGNATURE_MAGIC)
    words = int.from_bytes(data[4:6], "little")
    assert words == len(story_text(title, lead).split()) - 1  # less the separator; every word once
    assert data[6 + 8 * words :] == b"20.5 2022"
    assert data == signature(title, lead)
    # Stored signatures outlive a process and a library upgrade: if this digest changes, the
    # hashing changed, and SIGNATURE_MAGIC must change with it so old signatures are refused.
    assert hashlib.sha256(data).hexdigest()[:16] == "e785bbb07578f181", hashlib.sha256(data).hexdigest()[:16]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        SIGNATURE_MAGIC + b"\0",
        b"BCS1" + b"\0" * (4 * 256),  # the MinHash signatures of datasketch
        SIGNATURE_MAGIC + b"\x02\0" + b"\0" * 15,  # two word hashes announced, less given
        SIGNATURE_MAGIC + b"\x02\0" + b"\0" * 16,  # the same word twice
        SIGNATURE_MAGIC + b"\xff\xff" + b"\0" * (8 * 0xFFFF),  # more words than a story holds
        "BCS2",
        None,
        12,
    ],
)
def test_a_foreign_signature_is_refused(data: Any) -> None:
    with pytest.raises(InvalidInput):
        CoverageIndex().add_signature(1, data)


def test_figures_that_are_not_text_are_refused() -> None:
    data = signature("Ginebra edges Meralco, 87-83", "")
    with pytest.raises(InvalidInput):
        CoverageIndex().add_signature(1, data + b"\xff\xfe")


@FUZZ
@given(st.lists(st.tuples(st.text(max_size=80), st.text(max_size=300)), min_size=1, max_size=8), st.text(max_size=80))
def test_hostile_entries_never_break_the_index(stories: list[tuple[str, str]], query: str) -> None:
    index = CoverageIndex()
    for number, (title, lead) in enumerate(stories):
        index.add(number, title, lead)
    for match in index.matches(query, query, limit=3):
        assert 0.0 <= match.score <= 1.0
    index.best(stories[0][0], stories[0][1])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE_TEXT))
def test_hostile_text_is_read_and_cut_to_its_tokens(name: str) -> None:
    hostile = HOSTILE_TEXT[name]
    index = CoverageIndex()
    index.add(1, hostile, hostile)
    index.matches(hostile, hostile)
    similarity(story_text(hostile, hostile), hostile)
    assert len(story_text(hostile, hostile).split()) <= TITLE_WEIGHT * TITLE_TOKENS + LEAD_TOKENS + 1


# ---------------------------------------------------------------- the buckets against a full scan


@pytest.mark.slow
def test_buckets_find_what_a_full_scan_finds() -> None:
    stories, rng, words = synthetic_stories(1_000, seed=11)
    stories += [rewrite(stories[rng.randrange(1_000)], rng, words) for _ in range(300)]
    texts = [story_text(title, lead) for title, lead in stories]
    index = CoverageIndex()
    for number, (title, lead) in enumerate(stories):
        index.add(number, title, lead)
    close = 0
    for title, lead in rng.sample(stories, 40):
        query = story_text(title, lead)
        scan = {number for number, other in enumerate(texts) if similarity(query, other) >= DEFAULT_THRESHOLD}
        found = {m.story_id for m in index.matches(title, lead, limit=len(stories)) if m.score >= DEFAULT_THRESHOLD}
        assert found == scan
        close += len(scan)
    assert close > 40  # the sample holds rewrites, not only the stories themselves


def test_a_repeated_story_is_scored_once() -> None:
    index = CoverageIndex()
    for number in range(1, 1_001):
        index.add(number, "Mga mamimili sa Dapitan Market at Quiapo, dagsa na | TV Patrol", "")
    index.add(5_000, "Mga mamimili sa Dapitan Market, dagsa", "")
    assert len(index) == 1_001
    found = index.matches("Mga mamimili sa Dapitan Market at Quiapo, dagsa na", "", limit=3)
    assert [(m.story_id, m.score) for m in found] == [(1, 1.0), (2, 1.0), (3, 1.0)]
    assert index.best("Mga mamimili sa Dapitan Market, dagsa", "") == Match(5_000, 1.0)
    index.add(1, "PBA: Ginebra edges Meralco", "")
    assert [m.story_id for m in index.matches("Mga mamimili sa Dapitan Market at Quiapo", "", limit=2)] == [2, 3]


# ---------------------------------------------------------------- cost


def test_importing_the_text_package_loads_no_heavy_library() -> None:
    code = (
        "import sys, balita_cli.text.similarity, balita_cli.text.excerpt; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy', 'datasketch', 'rapidfuzz'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_at_the_desks_scale_rewrites_are_found_and_fresh_entries_left_alone() -> None:
    """10,000 stories of the last 48 hours and 1,000 new entries, half of them rewrites (what this
    costs: benchmarks/coverage.py)."""
    stories, entries = desk_day()
    index = CoverageIndex()
    for number, data in enumerate(signature(title, lead) for title, lead in stories):
        index.add_signature(number, data)
    found = wrong = 0
    for (title, lead), origin in entries:
        best = index.best(title, lead)
        if origin is None:
            wrong += best is not None
        elif best is not None and best.story_id == origin:
            found += 1
    assert found >= 490 and wrong <= 5


def test_a_small_vocabulary_still_finds_the_other_version() -> None:
    # Every story shares most of its words with every other: each is a candidate of each entry,
    # and only the MAX_CANDIDATES sharing the most bands are scored.
    import random

    rng = random.Random(5)
    common = [f"karaniwan{n}" for n in range(40)]
    stories = [
        (" ".join(rng.sample(common, 4) + [f"pangalan{n}x", f"lugar{n}y"]), " ".join(rng.sample(common, 25)))
        for n in range(1_000)
    ]
    index = CoverageIndex()
    for number, (title, lead) in enumerate(stories):
        index.add(number, title, lead)
    title, lead = stories[0]
    assert len(index.matches(title, lead, limit=len(stories))) == MAX_CANDIDATES
    for number in (3, 500, 999):
        title, lead = stories[number]
        words = title.split()
        found = index.best(" ".join(words[1:] + words[:1]), lead)
        assert found is not None and found.story_id == number
