"""The excerpt policy (balita_cli.text.excerpt) on real Philippine news copy and on anything at all."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from balita_cli.errors import InvalidInput
from balita_cli.text.excerpt import (
    ABBREVIATIONS,
    DEFAULT_MAX_WORDS,
    ELLIPSIS,
    Excerpt,
    count_words,
    excerpt,
    paragraphs,
)
from benchmarks.hostile import HOSTILE_COPY
from tests.helpers.corpora import corpora_path

PROPERTIES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def corpus_paragraph(feed: str, title_start: str) -> str:
    """The description of the item whose title starts with ``title_start``, first paragraph only."""
    import feedparser

    for entry in feedparser.parse(str(corpora_path("feeds", "ph-news", *feed.split("/")))).entries:
        if entry.title.strip().startswith(title_start):
            return paragraphs(entry.summary)[0]
    raise AssertionError(f"no item {title_start!r} in {feed}")


# Real paragraphs, read from shared/corpora/feeds/ph-news at test time.
LACSON = ("philstar.xml", "Ping pushes")  # "... in each region, Sen. Panfilo Lacson said."
GT_CAPITAL = ("philstar.xml", "GT Capital")  # "GT Capital Holdings Inc., ... Foundation Inc., ... last Sept. 30."
ROBREDO = ("philstar.xml", "Robredo wants")  # a quote of four sentences, brackets, "deserve...if"
# "... between Pharmally Pharmaceutical Corp. and the Procurement Service ..."
PHARMALLY = ("philstar-history/69cdbe2eb6/philstar.xml", "Initial Pharmally")
TUCP = ("philstar.xml", "'Inhuman'")  # '"We warn employers ... imprisonment," Rep. Mendoza said.'
MINORS = ("philstar-history/69cdbe2eb6/philstar.xml", "1,151 minors")  # ends '... a “success.”'
PBB = ("abscbnnews.xml", "'Pinoy Big Brother'")  # two Filipino sentences with quoted names
CROWDFUNDING = ("abscbnnews.xml", "Sino-sino")  # one Filipino sentence, "P50 hanggang P20,000."
BAKUN = ("abscbnnews.xml", "15 bahay")  # one Filipino sentence: "Nasa 17 pamilya ... Bagyong Maring."

# Written in the style of the feeds (no real paragraph in the corpora has a peso figure in
# billions): two sentences with "P1.2-billion" and "Sen." inside the first.
BUDGET = (
    "The Senate finance subcommittee on Thursday approved the P1.2-billion budget of the agency, "
    "Sen. Pia Cayetano said. The proposal now goes to the plenary."
)


def words_of(text: str) -> int:
    return count_words(text)


# ---------------------------------------------------------------- real copy


def test_a_paragraph_that_fits_is_kept_whole() -> None:
    lead = corpus_paragraph(*LACSON)
    size = words_of(lead)
    assert size == 30
    assert excerpt(lead, size) == Excerpt(lead, size, False)
    assert excerpt(lead, DEFAULT_MAX_WORDS) == Excerpt(lead, size, False)


def test_robredo_quote_is_cut_after_whole_sentences() -> None:
    quote = corpus_paragraph(*ROBREDO)
    assert quote.startswith('"Many others have [already lost their jobs]. So hopefully for me,')
    first_two = (
        '"Many others have [already lost their jobs]. '
        "So hopefully for me, [the solution is a] conditional stimulus package."
    )
    assert words_of(first_two) == 18  # the bracketed words are the quote's words too
    for limit in range(18, 39):
        result = excerpt(quote, limit)
        assert result.text == first_two and result.words == 18 and result.truncated, limit
    three = excerpt(quote, 39)
    assert three.text.endswith("so that your employees can have a job.") and three.words == 39
    # "deserve...if" is one word: no sentence ends inside it.
    assert not excerpt(quote, words_of(quote) - 1).text.endswith("deserve...")


@pytest.mark.parametrize("limit", range(1, 30))
def test_sen_inside_the_only_sentence_is_never_an_end(limit: int) -> None:
    lead = corpus_paragraph(*LACSON)
    result = excerpt(lead, limit)
    assert result.truncated and result.text.endswith(ELLIPSIS)
    # An ellipsis goes before the title rather than after it: "... each region…", not "... Sen…".
    assert result.words == (26 if limit == 27 else limit)
    assert not result.text.rstrip(ELLIPSIS).endswith(("Sen", "Sen."))
    assert lead.startswith(result.text.removesuffix(ELLIPSIS))


def test_inc_corp_and_sept_are_not_sentence_ends() -> None:
    gt_capital, pharmally = corpus_paragraph(*GT_CAPITAL), corpus_paragraph(*PHARMALLY)
    assert "Holdings Inc., in partnership with Metrobank Foundation Inc., donated" in gt_capital
    assert gt_capital.endswith("last Sept. 30.")
    assert "Pharmally Pharmaceutical Corp. and the Procurement Service" in pharmally
    body = f"{gt_capital}\n\n{pharmally}"
    first = words_of(gt_capital)
    for limit in range(first, words_of(body)):
        result = excerpt(body, limit)
        assert result.text == gt_capital and result.words == first, limit  # never "... Corp."
    for limit in range(1, first):
        assert excerpt(body, limit).text.endswith(ELLIPSIS)  # the first paragraph has one end only


def test_closing_quotes_stay_with_their_sentence() -> None:
    tucp, minors = corpus_paragraph(*TUCP), corpus_paragraph(*MINORS)
    assert tucp.endswith('imprisonment," Rep. Mendoza said.')
    assert minors.endswith("a “success.”")
    body = f"{minors}\n\n{tucp}"
    assert excerpt(body, words_of(minors) + 5).text == minors


def test_filipino_sentences() -> None:
    pbb = corpus_paragraph(*PBB)
    first = 'Ipinakilala na ang 12 bagong housemates sa muling pagbubukas ng "Pinoy Big Brother" house.'
    assert pbb.startswith(first + " Unang araw pa lang,")
    assert words_of(first) == 14
    for limit in range(14, words_of(pbb)):
        assert excerpt(pbb, limit) == Excerpt(first, 14, True)
    crowdfunding, bakun = corpus_paragraph(*CROWDFUNDING), corpus_paragraph(*BAKUN)
    assert crowdfunding.endswith("mag-donate ng P50 hanggang P20,000.")
    body = f"{bakun}\n\n{crowdfunding}"
    assert excerpt(body, words_of(bakun) + 10) == Excerpt(bakun, words_of(bakun), True)
    assert excerpt(body, 200) == Excerpt(body, words_of(bakun) + words_of(crowdfunding), False)


def test_a_peso_figure_and_a_senator_inside_a_sentence() -> None:
    first = BUDGET.split(" The proposal")[0]
    assert first.endswith("the P1.2-billion budget of the agency, Sen. Pia Cayetano said.")
    assert words_of(first) == 17
    for limit in range(17, words_of(BUDGET)):
        assert excerpt(BUDGET, limit) == Excerpt(first, 17, True)
    assert excerpt(BUDGET, 9).text == "The Senate finance subcommittee on Thursday approved the P1.2-billion…"


def test_a_story_of_many_real_paragraphs_keeps_whole_paragraphs_while_they_fit() -> None:
    parts = [corpus_paragraph(*item) for item in (LACSON, GT_CAPITAL, PHARMALLY, TUCP, ROBREDO)]
    body = "\n\n".join(parts)
    sizes = [words_of(part) for part in parts]
    result = excerpt(body, DEFAULT_MAX_WORDS)
    assert result.truncated and result.words <= DEFAULT_MAX_WORDS
    whole = max(n for n in range(len(parts) + 1) if sum(sizes[:n]) <= DEFAULT_MAX_WORDS)
    assert result.text.startswith("\n\n".join(parts[:whole]))
    assert result.text.count("\n\n") in (whole - 1, whole)
    assert not result.text.endswith(ELLIPSIS)


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize("limit", [0, -1, -120])
def test_a_limit_below_one_word_is_refused(limit: int) -> None:
    with pytest.raises(InvalidInput):
        excerpt("Robredo wants stimulus package.", limit)


@pytest.mark.parametrize("limit", [True, 1.5, "120", None])
def test_a_limit_that_is_not_a_count_is_refused(limit: Any) -> None:
    with pytest.raises(InvalidInput):
        excerpt("Robredo wants stimulus package.", limit)


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", " \t\r\n \r\n"])
def test_empty_in_empty_out(text: str) -> None:
    assert excerpt(text, 1) == Excerpt("", 0, False)


@pytest.mark.parametrize("word", sorted(ABBREVIATIONS | {"J.", "P.", "U.S.", "a.m.", "p.m."}))
def test_no_cut_after_an_abbreviation_or_an_initial(word: str) -> None:
    text = f"The council met today. They heard {word} Reyes and Cruz on Monday. Then they left."
    limit = words_of("The council met today. They heard X Reyes")  # the cut may reach the word
    for budget in range(limit - 1, limit + 2):
        assert excerpt(text, budget).text == "The council met today.", (word, budget)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("“Why?” he asked. The rest waited outside.", 4, "“Why?” he asked."),
        ("“Why?” he asked. The rest waited outside.", 2, "“Why?” he…"),
        ("It rained! Then it stopped. Done.", 5, "It rained! Then it stopped."),
        ("It rained! Then it stopped. Done.", 4, "It rained!"),
        ("Is it over? Not yet. Wait.", 3, "Is it over?"),
        ("He paused… Then he spoke again at length.", 4, "He paused…"),
        ("He said (in English.) Then left.", 5, "He said (in English.)"),
        ("The vote was 13-11. Senators left.", 4, "The vote was 13-11."),
        ("Prices rose by 2.5. Then fell.", 5, "Prices rose by 2.5."),
        ("Signal No. 3 is up. Stay home.", 5, "Signal No. 3 is up."),
        ("Signal No. 3 is up. Stay home.", 4, "Signal No. 3 is…"),
        ("The answer was no. We left.", 5, "The answer was no."),
        ("Lima, tatlo, isa — tapos na. Umuwi na kami.", 6, "Lima, tatlo, isa — tapos na."),
        ("Sinabi ni Sen. Angara, dapat ituloy.", 3, "Sinabi ni…"),
        ("Sinabi ni Sen. Angara, dapat ituloy.", 4, "Sinabi ni Sen. Angara…"),
        ("A long clause, with commas, goes on", 3, "A long clause…"),
        ("A long clause — with a dash goes on", 3, "A long clause…"),
    ],
)
def test_sentence_ends(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit).text == expected


@pytest.mark.parametrize(
    ("markdown", "words"),
    [
        ("[Senate approves P20.5-billion budget](https://www.philstar.com/headlines/2021/10/17/1) today.", 5),
        ("Read [the report][1] now.", 4),
        ("![Typhoon Maring over Cagayan](maring.jpg) Floods rose.", 6),
        ("Type `balita fetch --explain` here.", 5),
        ("See <https://www.gmanetwork.com/news> now.", 3),
        ("<strong>Breaking</strong> news<br>here", 3),
        ("## Maring death toll climbs", 4),
        ("- first item\n- second item\n1. third\n2) fourth\n> quoted line", 8),
        ("Lacson — and Sotto — agree * fully", 5),
        ("**Sen. Angara** said _so_.", 4),
    ],
)
def test_words_are_counted_in_the_visible_text(markdown: str, words: int) -> None:
    assert count_words(markdown) == words
    assert excerpt(markdown, words) == Excerpt(markdown, words, False)


def test_a_link_is_never_cut_inside() -> None:
    link = "[Senate approves the P20.5-billion budget of the DICT](https://example.com/a)"
    text = f"{link} today, a senator said."
    assert excerpt(text, 9).text == f"{link} today…"
    assert excerpt(text, 8).text == f"{link}…"
    assert excerpt(text, 7) == Excerpt("", 0, True)  # the link alone is longer than the limit


def test_a_cut_leaves_no_emphasis_open_when_it_can() -> None:
    text = "**Sen. Angara said the budget will pass.** The House agrees. It votes tomorrow."
    assert excerpt(text, 10).text == "**Sen. Angara said the budget will pass.** The House agrees."
    assert excerpt(text, 8).text == "**Sen. Angara said the budget will pass.**"
    assert excerpt("Plain start. **Bold one. Bold two.** After.", 5).text == "Plain start."


def test_paragraphs_are_joined_by_one_blank_line() -> None:
    text = "\r\n\r\nFirst paragraph.\r\n  \r\n\r\nSecond paragraph, same day.\r\nStill second.\n\n\n"
    assert paragraphs(text) == ["First paragraph.", "Second paragraph, same day.\nStill second."]
    assert excerpt(text, 50) == Excerpt("First paragraph.\n\nSecond paragraph, same day.\nStill second.", 8, False)
    assert excerpt(text, 7) == Excerpt("First paragraph.\n\nSecond paragraph, same day.", 6, True)
    assert excerpt(text, 5) == Excerpt("First paragraph.", 2, True)  # a paragraph end, no ellipsis


def test_a_paragraph_without_words_goes_along() -> None:
    text = "One sentence here.\n\n![](photo.jpg)\n\n---"
    assert excerpt(text, 3) == Excerpt(text, 3, False)


# ---------------------------------------------------------------- properties

VOCABULARY = [
    "ang", "mga", "Senate", "budget", "P20.5-billion", "P1.2-billion", "6,913", "COVID-19", "Maring",
    "said.", "said,", "Sen.", "Gov.", "Pres.", "Dr.", "Mr.", "Mrs.", "Atty.", "Engr.", "St.", "Sept.", "Dec.",
    "No.", "J.", "U.S.", "a.m.", "Inc.", "Brgy.", "—", "-", "*", "**bold", "bold**", "_it_", "“Oo,”", "sabi.”",
    "(P50)", "[link](https://x.y/z)", "[ref][1]", "`code`", "<b>", "</b>", "<https://a.b>", "...", "…", "?", "!",
    "why?", "Tama!", "he", "She", "Reyes.", "12", "2.5.", "##", ">", "1.", "[", "](", ")",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", " ", "\n", "\n\n", "  ", "\t", "\n \n", "\r\n"]


@st.composite
def copy(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(st.sampled_from(VOCABULARY) | st.text(min_size=1, max_size=6), max_size=80))
    pieces = []
    for token in tokens:
        pieces += [token, draw(st.sampled_from(SEPARATORS))]
    return "".join(pieces)


def check(text: str, limit: int) -> None:
    result = excerpt(text, limit)
    whole = "\n\n".join(paragraphs(text))
    assert result.words <= limit
    assert result.words == count_words(result.text)
    kept = result.text
    if not whole.startswith(kept):
        assert kept.endswith(ELLIPSIS)
        kept = kept.removesuffix(ELLIPSIS)
    assert whole.startswith(kept), (whole, result)
    rest = whole[len(kept) :]
    assert not rest or not kept or rest[0].isspace() or rest[0] in ",;:–—-.…", (kept, rest)  # never mid-word
    assert result.truncated is (result.text != whole)
    assert excerpt(result.text, limit).text == result.text  # idempotent
    assert excerpt(result.text, limit).words == result.words
    if not whole:
        assert result == Excerpt("", 0, False)


@pytest.mark.slow
@PROPERTIES
@given(copy(), st.integers(min_value=1, max_value=60))
@example('"Many others have [already lost their jobs]. So hopefully.', 5)
@example("**a. b** c", 1)
@example("x [a b](u) y", 1)
def test_properties_on_news_like_copy(text: str, limit: int) -> None:
    check(text, limit)


@PROPERTIES
@given(st.text(), st.integers(min_value=1, max_value=30))
def test_properties_on_any_text(text: str, limit: int) -> None:
    check(text, limit)


def test_the_default_limit_is_the_desk_s() -> None:
    long = " ".join(["Salita."] * 300)
    assert excerpt(long) == excerpt(long, DEFAULT_MAX_WORDS)
    assert excerpt(long).words == DEFAULT_MAX_WORDS == 120
    assert re.fullmatch(r"(Salita\. ){119}Salita\.", excerpt(long).text)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE_COPY))
def test_hostile_copy_is_cut_within_the_word_limit_and_never_to_more_words_than_it_has(name: str) -> None:
    """What this costs: benchmarks/hostile.py."""
    cut = excerpt(HOSTILE_COPY[name], DEFAULT_MAX_WORDS)
    assert cut.words <= min(DEFAULT_MAX_WORDS, count_words(HOSTILE_COPY[name]))
