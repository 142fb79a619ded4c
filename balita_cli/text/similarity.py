"""Related coverage: is a new entry another outlet's version of a story held already?

A story is its headline (weighted three times) and the opening of its lead, normalised
(``text/normalise.py``); two stories are compared by the exact weighted Jaccard similarity of
their words. Headlines whose figures conflict (P20.5 billion against P24.1 billion) score low:
one template, two events. The measure is lexical, so a paraphrase or a translation sharing few
words is not seen (tests/fixtures/coverage/known_misses.json).

The index of recent stories finds candidates without comparing an entry with every story: a
one-permutation MinHash (one ``hashlib.blake2b`` digest per word) puts each story in BANDS
buckets, and an entry is scored, exactly, against the stories sharing a bucket with it. Stories
with the same words share one entry of the index, so a feed repeating one headline costs one
comparison, not one per copy. docs/architecture.md argues the choice.
"""

from __future__ import annotations

import hashlib
import heapq
import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from balita_cli.errors import InvalidInput
from balita_cli.text.normalise import first_paragraph, headline, is_figure, tokens, visible

# Chosen between the weakest same-story pair and the strongest different-story pair of
# tests/fixtures/coverage/pairs.json and the real feeds, leaning away from the different stories:
# a story wrongly filed as another's coverage is hidden from the desk, while a missed pair only
# leaves a duplicate draft. tests/test_text_similarity.py prints the scores and the margins.
DEFAULT_THRESHOLD = 0.20

TITLE_WEIGHT = 3
LEAD_WORDS = 60
# No headline runs to 40 words, and 60 words of lead rarely to 120 tokens ("COVID-19" is two):
# past these a title or lead is not what it claims to be, and is not read further.
TITLE_TOKENS = 40
LEAD_TOKENS = 2 * LEAD_WORDS
FIGURES_DIFFER_FACTOR = 0.1
# Candidates come from LSH banding over a one-permutation MinHash: each word's 64-bit hash
# falls in one of BINS bins, a bin keeps its smallest hash (an empty bin borrows its right
# neighbour's), and BANDS bands of two bins each make a story's bucket keys. Two stories share a
# band with probability about J**2, so a pair at the threshold (J = 0.2) shares one of 128 with
# probability about 1 - 0.96**128 > 0.99. Scores never come from the MinHash: it only decides
# what is looked at.
BINS = 64
BAND_OFFSETS = (1, 5)  # band (i, i + offset) for every bin i and offset
BANDS = BINS * len(BAND_OFFSETS)
# At most this many candidates are scored, those sharing the most bands with the entry: a story
# at the threshold shares about five bands, another version of the story dozens, an unrelated
# one none or one. Copy written from a small vocabulary would otherwise make every story a
# candidate of every entry.
MAX_CANDIDATES = 256

SIGNATURE_MAGIC = b"BCS2"  # bump when tokens, weights or the hashing change
_HEADER = struct.Struct("<4sH")  # magic, number of word hashes
MAX_SHINGLES = TITLE_TOKENS * TITLE_WEIGHT + LEAD_TOKENS
_BIN_BITS = BINS.bit_length() - 1


def _story_tokens(title: str, lead: str) -> tuple[list[str], list[str]]:
    headline_words = tokens(headline(title))[:TITLE_TOKENS]
    opening = tokens(" ".join(visible(first_paragraph(lead)).split()[:LEAD_WORDS]))[:LEAD_TOKENS]
    return headline_words * TITLE_WEIGHT, opening


def story_text(title: str, lead: str) -> str:
    """What is compared: the title TITLE_WEIGHT times, `` | ``, then the first LEAD_WORDS words of
    the lead's first paragraph, all normalised. The title is the outlet's own statement of the
    event, where a lead is often a quote; later paragraphs run into a channel's boilerplate."""
    headline, opening = _story_tokens(title, lead)
    return " ".join(headline) + " | " + " ".join(opening)


@dataclass(frozen=True)
class _Features:
    shingles: frozenset[str]
    figures: frozenset[str]


def _features_of(headline: list[str], opening: list[str]) -> _Features:
    """The token multiset as a set of ``token#k`` elements (k-th occurrence), so that the set's
    Jaccard similarity is the multiset's weighted one; and the headline's figures."""
    seen: dict[str, int] = {}
    shingles = []
    for token in headline + opening:
        seen[token] = seen.get(token, 0) + 1
        shingles.append(f"{token}#{seen[token]}")
    return _Features(frozenset(shingles), frozenset(token for token in headline if is_figure(token)))


def _features(text: str) -> _Features:
    """Features of a ``story_text`` output, normalised again (a no-op on such output, so raw text
    compares too). Text before `` | `` is the headline; text without it is all headline."""
    headline, _, opening = text.partition(" | ")
    return _features_of(tokens(headline)[: TITLE_TOKENS * TITLE_WEIGHT], tokens(opening)[:LEAD_TOKENS])


def jaccard(a: frozenset[object], b: frozenset[object]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 when either is empty."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def figures_differ(a: Iterable[str], b: Iterable[str]) -> bool:
    """Each headline has a figure the other lacks: two events of one template, not one story."""
    first, second = frozenset(a), frozenset(b)
    return not (first <= second or second <= first)


def _final(score: float, differ: bool) -> float:
    return score * FIGURES_DIFFER_FACTOR if differ else score


def similarity(a: str, b: str) -> float:
    """0..1, symmetric: how much ``a`` and ``b`` (``story_text`` outputs) read as one story.

    Their weighted Jaccard similarity, times FIGURES_DIFFER_FACTOR when their headline figures
    conflict. Text with no words scores 0 against everything.
    """
    first, second = _features(a), _features(b)
    return _final(jaccard(first.shingles, second.shingles), figures_differ(first.figures, second.figures))


@lru_cache(maxsize=1 << 16)
def _word_hash(shingle: str) -> int:
    """A word's 64-bit identity (news copy repeats its words, hence the cache)."""
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "little")


def signature(title: str, lead: str) -> bytes:
    """The story's fixed part for the index, computed once per story (before a write lock).

    SIGNATURE_MAGIC, the number n of words (uint16), the n words' 64-bit hashes in ascending
    order, then the headline figures as text separated by spaces; all little-endian.
    """
    features = _features_of(*_story_tokens(title, lead))
    ids = sorted(map(_word_hash, features.shingles))
    return (
        _HEADER.pack(SIGNATURE_MAGIC, len(ids))
        + struct.pack(f"<{len(ids)}Q", *ids)
        + " ".join(sorted(features.figures)).encode("utf-8")
    )


def _band_keys(words: Iterable[int]) -> list[int]:
    """BANDS bucket keys of a non-empty set of word hashes (one-permutation MinHash, densified
    by rotation: an empty bin takes the next non-empty bin's value and the distance to it)."""
    smallest: list[int | None] = [None] * BINS
    for word in words:
        slot, value = word & (BINS - 1), word >> _BIN_BITS
        current = smallest[slot]
        if current is None or value < current:
            smallest[slot] = value
    filled = [0] * BINS
    borrowed, distance = 0, 0
    for position in range(2 * BINS - 1, -1, -1):  # right to left, twice round: every bin sees a value
        found = smallest[position % BINS]
        if found is None:
            distance += 1
        else:
            borrowed, distance = found, 0
        if position < BINS:
            filled[position] = borrowed * BINS + distance
    return [
        hash((band, filled[band % BINS], filled[(band % BINS + offset) % BINS]))
        for band, offset in enumerate(offset for offset in BAND_OFFSETS for _ in range(BINS))
    ]


@dataclass(frozen=True)
class _Signature:
    words: frozenset[int]
    figures: frozenset[str]


def _parse_signature(data: bytes | bytearray | memoryview) -> _Signature:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput(f"a coverage signature is bytes, not {type(data).__name__}")
    data = bytes(data)
    refused = InvalidInput(
        f"not a coverage signature of this version (expected {SIGNATURE_MAGIC.decode()}, "
        "then the word hashes); recompute it with signature()"
    )
    if len(data) < _HEADER.size or data[:4] != SIGNATURE_MAGIC:
        raise refused
    count = _HEADER.unpack_from(data)[1]
    words_at = _HEADER.size
    figures_at = words_at + 8 * count
    if count > MAX_SHINGLES or len(data) < figures_at:
        raise refused
    words = frozenset(struct.unpack_from(f"<{count}Q", data, words_at))
    if len(words) != count:
        raise refused
    try:
        figures = frozenset(data[figures_at:].decode("utf-8").split())
    except UnicodeDecodeError as error:
        raise InvalidInput("a coverage signature's figures are not UTF-8 text") from error
    return _Signature(words, figures)


@dataclass(frozen=True)
class Match:
    """A story already held that the new entry may be another version of.

    ``figures_differ`` says the score was cut because the headlines carry different figures.
    """

    story_id: int
    score: float
    figures_differ: bool = False


@dataclass
class _Group:
    """Stories with the same words and figures: one entry of the index, scored once."""

    signature: _Signature
    story_ids: set[int] = field(default_factory=set)


class CoverageIndex:
    """Stories of the last hours, searchable for another outlet's version of a new entry.

    Each distinct story (by its words and figures) sits in BANDS buckets, one per band of its
    MinHash; a query scores the stories sharing a bucket with it, exactly as ``similarity`` does.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput(f"the related-coverage threshold must be in (0, 1], not {threshold!r}")
        self.threshold = threshold
        self._groups: list[_Group] = []
        self._group_of_words: dict[tuple[frozenset[int], frozenset[str]], int] = {}
        self._group_of_story: dict[int, int] = {}
        self._buckets: dict[int, int | list[int]] = {}

    def __len__(self) -> int:
        return len(self._group_of_story)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._group_of_story

    def add(self, story_id: int, title: str, lead: str) -> None:
        """Index a story; adding an id again replaces what it held."""
        self.add_signature(story_id, signature(title, lead))

    def add_signature(self, story_id: int, data: bytes | bytearray | memoryview) -> None:
        """Index a story by its signature (see ``signature``); a database driver's ``memoryview``
        or ``bytearray`` will do."""
        parsed = _parse_signature(data)
        self._remove(story_id)
        if not parsed.words:
            return  # a story without words matches nothing
        key = (parsed.words, parsed.figures)
        number = self._group_of_words.get(key)
        if number is None:
            number = len(self._groups)
            self._groups.append(_Group(parsed))
            self._group_of_words[key] = number
            for band in _band_keys(parsed.words):
                bucket = self._buckets.get(band)
                if bucket is None:
                    self._buckets[band] = number  # most buckets hold one story: no list for them
                elif isinstance(bucket, int):
                    self._buckets[band] = [bucket, number]
                else:
                    bucket.append(number)
        self._groups[number].story_ids.add(story_id)
        self._group_of_story[story_id] = number

    def matches(self, title: str, lead: str, *, limit: int = 5) -> list[Match]:
        """The stories most like this entry, best first (ties: the lower id), at most ``limit``.

        Below the threshold too, for ``fetch --explain``: every story sharing a bucket, which is
        all but surely every story scoring 0.2 or more and many scoring less.
        """
        return self.matches_signature(signature(title, lead), limit=limit)

    def matches_signature(self, data: bytes | bytearray | memoryview, *, limit: int = 5) -> list[Match]:
        """``matches`` of a story by its signature, for a caller that indexes it next."""
        if limit < 0:
            raise InvalidInput(f"limit must not be negative, not {limit}")
        return self._search(_parse_signature(data), limit)

    def best(self, title: str, lead: str) -> Match | None:
        """The story this entry is another version of: the best match at or above the threshold."""
        found = self.matches(title, lead, limit=1)
        return found[0] if found and found[0].score >= self.threshold else None

    def _remove(self, story_id: int) -> None:
        number = self._group_of_story.pop(story_id, None)
        if number is not None:
            self._groups[number].story_ids.discard(story_id)

    def _search(self, query: _Signature, limit: int) -> list[Match]:
        if limit == 0 or not query.words or not self._group_of_story:
            return []
        shared_bands: Counter[int] = Counter()
        for key in _band_keys(query.words):
            bucket = self._buckets.get(key)
            if isinstance(bucket, int):
                shared_bands[bucket] += 1
            elif bucket is not None:
                shared_bands.update(bucket)
        scored: list[tuple[float, int, bool]] = []
        words, size = query.words, len(query.words)
        for number, _ in shared_bands.most_common(MAX_CANDIDATES):
            group = self._groups[number]
            if not group.story_ids:
                continue
            shared = len(words & group.signature.words)
            differ = figures_differ(group.signature.figures, query.figures)
            score = _final(shared / (size + len(group.signature.words) - shared), differ)
            if len(group.story_ids) == 1:
                scored.append((-score, next(iter(group.story_ids)), differ))
            else:
                scored.extend((-score, story_id, differ) for story_id in heapq.nsmallest(limit, group.story_ids))
        return [Match(story_id, -negative, differ) for negative, story_id, differ in heapq.nsmallest(limit, scored)]
