"""Story text as the similarity measure reads it: normalised Filipino/English words.

NFKC, casefold, accents folded (Parañaque -> paranaque, Ñ -> n); HTML tags, entities and URLs
gone; possessive 's dropped and other apostrophes closed up (gov't -> govt); every other
punctuation mark is a space, except inside figures: thousands separators are dropped
(6,913 -> 6913) and decimals kept (P20.5-billion -> 20.5 billion). The peso sign or prefix
before a figure (P, PHP, ₱) is dropped, ``%`` reads ``percent``, ``B``/``bn`` after a figure
and Filipino ``bilyon`` read ``billion`` (``M``/``mn``/``milyon``: ``million``), so P1.2B,
₱1.2 billion and P1.2 bilyon compare equal. Stopwords (STOPWORDS) are dropped.
"""

from __future__ import annotations

import html
import re
import unicodedata

from balita_cli.text.excerpt import paragraphs

# The few words that carry no story in English and Filipino news copy: articles, prepositions,
# conjunctions, pronouns, auxiliaries, Filipino markers and linkers (ang, ng, sa, mga, na...),
# enclitics (din, rin, daw, raw, pa, po...) and the reporting verbs said/says/ayon.
STOPWORDS = frozenset(
    """
    a an the of to in on at by for from with as into and or but if than that this these those
    is are was were be been being has have had will would can could may should it its he she
    they his her their them who which what said says
    ang ng sa mga na si ni ay at nang kay kina sina nina ito iyon iyan para pa ba din rin daw
    raw lang naman po ho ko mo niya nila ka kung dahil may ayon
    """.split()
)

_TAGS = re.compile(r"<[^<>]*>")  # never past the next "<": "<<<<..." stays linear
_URLS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_TOKENS = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+")
_CURRENCY = frozenset({"p", "php"})
_UNITS_AFTER_FIGURE = {"b": "billion", "bn": "billion", "m": "million", "mn": "million"}
_WORDS = {"bilyon": "billion", "milyon": "million", "porsiyento": "percent", "pct": "percent"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HTML_PARAGRAPH_END = re.compile(r"</p\s*>|<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)


def is_figure(token: str) -> bool:
    return token[:1].isdigit()


def _unmarked(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NON_ASCII.sub(_unmarked, unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", text)


def visible(text: str) -> str:
    """Text with tags, entities (an escaped tag included) and URLs gone."""
    text = _TAGS.sub(" ", text)
    text = _TAGS.sub(" ", html.unescape(text))
    return _URLS.sub(" ", text)


def tokens(text: str) -> list[str]:
    text = _fold(visible(text)).replace("₱", " ").replace("%", " percent ")
    text = _INNER_APOSTROPHE.sub("", _POSSESSIVE.sub("", _THOUSANDS.sub("", text)))
    words = [_WORDS.get(word, word) for word in _TOKENS.findall(text) if word not in STOPWORDS]
    kept: list[str] = []
    for word in reversed(words):  # right to left: a currency mark is known by what follows it
        if word in _CURRENCY and kept and is_figure(kept[-1]):
            continue
        kept.append(word)
    kept.reverse()
    for index in range(1, len(kept)):
        if kept[index] in _UNITS_AFTER_FIGURE and is_figure(kept[index - 1]):
            kept[index] = _UNITS_AFTER_FIGURE[kept[index]]
    return kept


def normalise(text: str) -> str:
    """Words of ``text`` as compared: folded, unmarked, without stopwords, one space apart.

    >>> normalise("Parañaque OKs <b>P20.5-billion</b> budget &amp; 6,913 jobs")
    'paranaque oks 20.5 billion budget 6913 jobs'
    """
    return " ".join(tokens(text))


def first_paragraph(lead: str) -> str:
    """The lead's first paragraph with text: up to a blank line (as ``excerpt`` splits them),
    ``</p>`` or ``<br><br>``.

    Feed descriptions often run on past the lead into boilerplate ("Subscribe to ... click the
    link below"), which would make every item of one channel look alike.
    """
    for paragraph in paragraphs(_HTML_PARAGRAPH_END.sub("\n\n", lead)):
        if visible(paragraph).strip():
            return paragraph
    return ""


def headline(title: str) -> str:
    """The title less a trailing label of at most three words that is shorter than the rest:
    "15 bahay ... apektado ng landslide | TV Patrol" -> "15 bahay ... apektado ng landslide",
    while "Breaking | Senate approves budget" stays whole."""
    title = title.strip()
    rest, separator, label = title.rpartition(" | ")
    if separator and len(label.split()) <= 3 and len(label.split()) < len(rest.split()):
        return rest
    return title
