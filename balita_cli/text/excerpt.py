"""The excerpt policy: how much of another outlet's story the desk stores.

At most ``max_words`` words of the visible text, ending where a sentence or a paragraph ends and
never inside a word, a link or a tag; the result is a prefix of the input, so excerpting it again
changes nothing. Whether the full text may be kept instead is the caller's decision."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from balita_cli.errors import InvalidInput

DEFAULT_MAX_WORDS = 120
ELLIPSIS = "…"

# Words ending in a full stop that do not end a sentence in Philippine English and Filipino news
# copy: titles and ranks (PNP ranks included), name parts, Filipino honorifics, places, months,
# "No." and the like. Matched as written, so a sentence may still end in "no." Single capitals
# ("J.") and dotted letters ("U.S.", "a.m.") are recognised without being listed.
ABBREVIATIONS = frozenset(
    """
    Sen. Sens. Rep. Reps. Gov. Vice-Gov. Pres. Sec. Usec. Asec. Cong. Atty. Engr. Arch. Dr. Dra.
    Ph.D. Mr. Mrs. Ms. Messrs. Hon. Fr. Msgr. Sr. Sis. Jr. Prof. Gen. Lt. Col. Maj. Capt. Sgt. Cpl. Supt.
    Insp. Adm. Cmdr. PGen. PLtGen. PMGen. PBGen. PCol. PLtCol. PMaj. PCapt. PLt. PEMS. PCMS. PSMS.
    PMSg. PSSg. PCpl. Pat. Bb. Gng. St. Sto. Sta. Mt. Ave. Blvd. Brgy. Bgy. Hwy. Rd. Pob.
    Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.
    No. Nos. Art. Secs. Par. Vol. Inc. Corp. Co. Ltd. Bros. vs. etc. approx. est. Fig. p. pp.
    """.split()
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# Inline markup a cut never falls inside: images, links (inline and reference), code spans,
# autolinks and tags. No pattern may scan past the next opener, so none is quadratic.
_ATOMIC = re.compile(r"!?\[[^\[\]\n]*\](?:\([^()\n]*\)|\[[^\[\]\n]*\])|`[^`\n]*`|<[^<>\n]+>")
_LINK = re.compile(r"!?\[([^\[\]\n]*)\](?:\([^()\n]*\)|\[[^\[\]\n]*\])")
_CODE = re.compile(r"`([^`\n]*)`")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>\n]+>")
_TOKEN = re.compile(r"\S+")
_LINE_MARKER = re.compile(r"(?:#{1,6}|>+|[-*+]|\d{1,9}[.)])")
_CLOSERS = "\"'”’»)]*_~"
_OPENERS = "\"'“‘«([*_~"
_SENTENCE_END = re.compile(r"[.!?…]$")
_DOTTED = re.compile(r"[^\W\d_](?:\.[^\W\d_])+")
_DANGLING = ",;:–—-.… \t\n"  # left off before an ellipsis: "Sen. Angara," -> "Sen. Angara…"


@dataclass(frozen=True)
class Excerpt:
    """What may be stored: ``text`` of ``words`` words; ``truncated`` if anything was left out."""

    text: str
    words: int
    truncated: bool


@dataclass(frozen=True)
class _Unit:
    """A piece of a paragraph between two places a cut may fall."""

    end: int
    words: int
    visible: str
    emphasis: int  # emphasis marks opened (+) or closed (-) by this piece


def _visible(piece: str, *, line_start: bool) -> str:
    if line_start and _LINE_MARKER.fullmatch(piece):
        return ""
    piece = _LINK.sub(r" \1 ", piece)
    piece = _AUTOLINK.sub(r" \1 ", piece)
    piece = _CODE.sub(r" \1 ", piece)
    return " ".join(_TAG.sub(" ", piece).split())


def _count(visible: str) -> int:
    return sum(1 for token in visible.split() if any(char.isalnum() for char in token))


def _emphasis(piece: str) -> int:
    if not piece.strip("*_"):
        return 0
    head = piece.lstrip("\"'“‘«([")
    tail = piece.rstrip(".,;:!?…\"'”’»)]")
    return (len(head) - len(head.lstrip("*_"))) - (len(tail) - len(tail.rstrip("*_")))


def _spans(paragraph: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, starts a line) of the pieces between places a cut may fall, in order."""
    atomic = _ATOMIC.finditer(paragraph)
    inside = next(atomic, None)
    piece: list[int] | None = None
    line_start, previous_end = True, 0  # a paragraph starts a line
    for token in _TOKEN.finditer(paragraph):
        start, end = token.span()
        while inside is not None and inside.end() <= start:
            inside = next(atomic, None)
        if piece is not None and inside is not None and inside.start() < start:
            piece[1] = previous_end = end  # inside a link or a code span: one piece with what came before
            continue
        if piece is not None:
            yield piece[0], piece[1], line_start
        line_start = piece is None or "\n" in paragraph[previous_end:start]
        piece, previous_end = [start, end], end
    if piece is not None:
        yield piece[0], piece[1], line_start


def _units(paragraph: str) -> Iterator[_Unit]:
    for start, end, line_start in _spans(paragraph):
        piece = paragraph[start:end]
        visible = _visible(piece, line_start=line_start)
        yield _Unit(end, _count(visible), visible, _emphasis(piece))


def _last_word(unit: _Unit) -> str:
    words = unit.visible.split()
    return words[-1].rstrip(_CLOSERS) if words else ""


def _abbreviated(word: str) -> bool:
    """An abbreviation, an initial or dotted letters: bound to the word after it."""
    core = word.lstrip(_OPENERS)
    stem = core[:-1]
    return core.endswith(".") and (
        core in ABBREVIATIONS or bool(_DOTTED.fullmatch(stem)) or (len(stem) == 1 and stem.isalpha())
    )


def _ends_sentence(unit: _Unit, following: _Unit | None) -> bool:
    last = _last_word(unit)
    if unit.words == 0 or not _SENTENCE_END.search(last):
        return False
    if last.endswith(".") and not last.endswith("...") and _abbreviated(last):
        return False
    if following is None:
        return True
    start = following.visible.lstrip(_OPENERS + "¡¿ ")
    return not start[:1].islower()


def _cut(paragraph: str, units: list[_Unit], budget: int, *, or_words: bool) -> tuple[str, int] | None:
    """The paragraph cut at its last sentence end within ``budget`` words, else (if ``or_words``)
    at its last word within it, with an ellipsis. Places that leave no emphasis open come first,
    and for an ellipsis, places not right after a title ("... region, Sen…" reads worse than
    "... region…")."""
    sentences: list[tuple[bool, bool, int, int]] = []  # (balanced, after a title, end, words)
    words: list[tuple[bool, bool, int, int]] = []
    used = depth = 0
    for index, unit in enumerate(units):
        used += unit.words
        depth += unit.emphasis
        if used > budget:
            break
        if unit.words:
            following = units[index + 1] if index + 1 < len(units) else None
            place = (depth <= 0, _abbreviated(_last_word(unit)), unit.end, used)
            words.append(place)
            if _ends_sentence(unit, following):
                sentences.append(place)
    if sentences:
        _, _, end, count = ([place for place in sentences if place[0]] or sentences)[-1]
        return paragraph[:end], count
    if or_words and words:
        preferred = [place for place in words if place[0] and not place[1]]
        _, _, end, count = (preferred or [place for place in words if place[0]] or words)[-1]
        return paragraph[:end].rstrip(_DANGLING) + ELLIPSIS, count
    return None


def paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text``: split at blank lines, line ends unified, outer blank space gone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.rstrip().lstrip("\n") for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def count_words(text: str) -> int:
    """Words of ``text`` as the excerpt policy counts them: whitespace-separated tokens of the
    visible text with a letter or a digit. A link or an image counts its text, an autolink one
    word; tags, line-start markers (``##``, ``-``, ``>``) and lone punctuation count nothing."""
    return sum(unit.words for paragraph in paragraphs(text) for unit in _units(paragraph))


def excerpt(text: str, max_words: int = DEFAULT_MAX_WORDS) -> Excerpt:
    """At most ``max_words`` words of ``text``, cut where a sentence or paragraph ends.

    Whole paragraphs are kept while they fit; the next is cut after its last sentence end that
    fits, and only when nothing came before it after its last word, with "…". A sentence ends at
    ``.``, ``!``, ``?`` or ``…`` unless the next word begins in lower case or the word is an
    abbreviation, an initial or dotted letters ("Jose P. Laurel", "U.S.")."""
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
        raise InvalidInput(f"an excerpt is at least 1 word long, not {max_words!r}")
    kept: list[str] = []
    used = 0
    for paragraph in paragraphs(text):
        units: list[_Unit] = []
        size = 0
        for unit in _units(paragraph):  # no further than the piece that does not fit
            units.append(unit)
            size += unit.words
            if used + size > max_words:
                break
        if used + size <= max_words:
            kept.append(paragraph)
            used += size
            continue
        cut = _cut(paragraph, units, max_words - used, or_words=not kept)
        if cut is not None:
            kept.append(cut[0])
            used += cut[1]
        return Excerpt("\n\n".join(kept), used, True)
    return Excerpt("\n\n".join(kept), used, False)
