"""Related coverage: is a new entry another outlet's version of a story we already hold?

When the poller brings in an entry whose title and lead are close to a story of the last 48 hours,
the desk files it as related coverage of that story ("Also reported by: GMA News, ABS-CBN")
instead of a new draft. This module says how close.

What is compared (``story_text``)
    The title (less a trailing label such as `` | TV Patrol``: ``headline``) normalised and
    written TITLE_WEIGHT times, then `` | ``, then the first LEAD_WORDS words of the lead's first
    paragraph, normalised. The title is an outlet's own one-line statement of the event; RSS leads
    are often a quote or a background sentence (Philstar's "Robredo wants..." lead is her quote),
    so the title counts three times over. Only the first paragraph, because feed descriptions run
    on into boilerplate (ABS-CBN's "Subscribe to ... click the link below") that would make every
    item of one channel look alike.

The measure (``similarity``)
    Weighted Jaccard of the two token multisets: a token seen k times stands for the k elements
    ``token#1`` ... ``token#k``, so a shared headline word counts three times and a shared lead
    word once. It is estimated by a datasketch MinHash of NUM_PERM permutations (standard error
    about 0.025 near the threshold), which is what lets the database keep one fixed-size
    signature per story and lets an index of 10,000 stories answer in about half a millisecond.

    Figures in headlines are what tells two stories of one template apart: the Senate approving
    the P20.5-billion budget of one agency and the P24.1-billion budget of another, Ginebra 87-83
    and San Miguel 110-92, 6,913 new cases today and 8,615 tomorrow share nearly every word. When
    each headline carries a figure the other does not (``20.5`` against ``24.1``), the score is
    multiplied by FIGURES_DIFFER_FACTOR, which keeps such pairs below any usable threshold
    whatever their wording. A headline that only adds a figure (a total caseload) is no conflict,
    and neither is one without figures. The cost: an update with a new count ("death toll rises
    to 26" after "... climbs to 23") files as a new draft, which an editor can link by hand.

Normalisation (``normalise``)
    NFKC, casefold, accents folded (Parañaque -> paranaque, Ñ -> n); HTML tags, entities and URLs
    gone; possessive 's dropped and other apostrophes closed up (gov't -> govt); every other
    punctuation mark is a space, except inside figures: thousands separators are dropped
    (6,913 -> 6913) and decimals kept (P20.5-billion -> 20.5 billion). The peso sign or prefix
    before a figure (P, PHP, ₱) is dropped, ``%`` reads ``percent``, ``B``/``bn`` after a figure
    and Filipino ``bilyon`` read ``billion`` (``M``/``mn``/``milyon``: ``million``), so P1.2B,
    ₱1.2 billion and P1.2 bilyon compare equal. Stopwords (STOPWORDS) are dropped.

Limits
    The measure is lexical: an English and a Filipino version of one story match only through the
    names and figures they share (tests/fixtures/coverage/known_misses.json keeps one that does
    not). Paraphrase with no shared words is not seen either.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from balita_cli.errors import InvalidInput
from balita_cli.text.normalise import first_paragraph, headline, is_figure, tokens, visible

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Hashes = npt.NDArray[np.uint32]

# Chosen from tests/fixtures/coverage/pairs.json and the real feeds. In pairs.json the weakest
# same-story pair (Philstar's Robredo story, whose lead is her quote, against GMA's summary)
# scores 0.27 and the strongest different-story pair (two Alert Level 3 stories of one Sunday)
# 0.11; the template pairs (budgets, PBA scores, daily case bulletins) score 0.06 or less once
# their figures differ. Among all 903 pairs of the 43 real items in shared/corpora/feeds/ph-news,
# the two stories both Philstar and GMA carried score 0.28 and 0.27, ABS-CBN's two uploads of
# one evening's TV Patrol 0.23, an English and a Filipino Marawi story 0.14 (a known miss) and
# every other pair 0.11 or less. Filing a new story as someone else's related coverage hides it
# from the desk while a missed pair only leaves a duplicate draft, so the threshold leans away
# from the different stories: 0.09 above the strongest, 0.07 below the weakest same story,
# between two and four standard errors of the MinHash estimate on each side.
# tests/test_text_similarity.py prints the table and the margins.
DEFAULT_THRESHOLD = 0.20

TITLE_WEIGHT = 3
LEAD_WORDS = 60
# No headline runs to 40 words, and 60 words of lead rarely to 120 tokens ("COVID-19" is two):
# past these a title or lead is not what it claims to be, and is not read further.
TITLE_TOKENS = 40
LEAD_TOKENS = 2 * LEAD_WORDS
NUM_PERM = 256
SEED = 20211017
FIGURES_DIFFER_FACTOR = 0.1
# Candidates come from LSH banding over the signature: 128 bands of 2 hash values find a pair of
# similarity 0.20 with probability 0.9945, of 0.25 with 0.9997 and of 0.05 with 0.27; every
# candidate is then scored on the full signature, so banding decides what is looked at, never a
# score. (512 permutations would halve the estimate's variance but double the cost: 4.2 s for
# the desk's 10,000 + 1,000 against 1.5 s.)
BAND_ROWS = 2
BANDS = NUM_PERM // BAND_ROWS

SIGNATURE_MAGIC = b"BCS1"  # bump when tokens, weights, NUM_PERM, SEED or the hashing change
_HASH_BYTES = 4 * NUM_PERM
_EMPTY = 0xFFFFFFFF  # an empty MinHash holds the largest value in every slot


def _story_tokens(title: str, lead: str) -> tuple[list[str], list[str]]:
    headline_words = tokens(headline(title))[:TITLE_TOKENS]
    opening = tokens(" ".join(visible(first_paragraph(lead)).split()[:LEAD_WORDS]))[:LEAD_TOKENS]
    return headline_words * TITLE_WEIGHT, opening


def story_text(title: str, lead: str) -> str:
    """What is compared: the title TITLE_WEIGHT times, `` | ``, then the first LEAD_WORDS words of
    the lead's first paragraph, all normalised."""
    headline, opening = _story_tokens(title, lead)
    return " ".join(headline) + " | " + " ".join(opening)


@dataclass(frozen=True)
class _Features:
    shingles: list[str]
    figures: frozenset[str]


def _features_of(headline: list[str], opening: list[str]) -> _Features:
    """The token multiset as ``token#k`` elements (k-th occurrence), and the headline figures."""
    seen: dict[str, int] = {}
    shingles = []
    for token in headline + opening:
        seen[token] = seen.get(token, 0) + 1
        shingles.append(f"{token}#{seen[token]}")
    return _Features(shingles, frozenset(token for token in headline if is_figure(token)))


def _features(text: str) -> _Features:
    """Features of a ``story_text`` output, normalised again (a no-op on such output, so raw text
    compares too). Text before `` | `` is the headline; text without it is all headline."""
    headline, _, opening = text.partition(" | ")
    return _features_of(tokens(headline)[: TITLE_TOKENS * TITLE_WEIGHT], tokens(opening)[:LEAD_TOKENS])


def _hash32(shingle: str) -> int:
    return zlib.crc32(shingle.encode("utf-8"))


@cache
def _blank_minhash() -> Any:
    # datasketch ships no type information; the ignore holds whether or not pyproject's mypy
    # overrides list it.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_hash32, scheme="affine32")


def _minhash(shingles: list[str]) -> Any:
    minhash = _blank_minhash().copy()
    minhash.update_batch(shingles)
    return minhash


def figures_differ(a: Iterable[str], b: Iterable[str]) -> bool:
    """Each headline has a figure the other lacks: two events of one template, not one story."""
    first, second = frozenset(a), frozenset(b)
    return bool(first - second) and bool(second - first)


def _final(jaccard: float, differ: bool) -> float:
    return jaccard * FIGURES_DIFFER_FACTOR if differ else jaccard


def similarity(a: str, b: str) -> float:
    """0..1, symmetric: how much ``a`` and ``b`` (``story_text`` outputs) read as one story.

    The MinHash estimate of their weighted Jaccard similarity, times FIGURES_DIFFER_FACTOR when
    their headline figures conflict. Text with no words scores 0 against everything.
    """
    first, second = _features(a), _features(b)
    if not first.shingles or not second.shingles:
        return 0.0
    jaccard = float(_minhash(first.shingles).jaccard(_minhash(second.shingles)))
    return _final(jaccard, figures_differ(first.figures, second.figures))


def signature(title: str, lead: str) -> bytes:
    """The story's fixed part for the index, to store with the story when it is written.

    SIGNATURE_MAGIC, NUM_PERM little-endian uint32 MinHash values, then the headline figures as
    ASCII-folded text separated by spaces. About 1 KB.
    """
    features = _features_of(*_story_tokens(title, lead))
    values: bytes = _minhash(features.shingles).hashvalues.astype("<u4").tobytes()
    return SIGNATURE_MAGIC + values + " ".join(sorted(features.figures)).encode("utf-8")


@dataclass(frozen=True)
class _Signature:
    hashes: Hashes
    figures: frozenset[str]

    @property
    def empty(self) -> bool:
        return bool((self.hashes == _EMPTY).all())


def _parse_signature(data: bytes | bytearray | memoryview) -> _Signature:
    import numpy as np

    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput(f"a coverage signature is bytes, not {type(data).__name__}")
    data = bytes(data)
    if data[:4] != SIGNATURE_MAGIC or len(data) < 4 + _HASH_BYTES:
        raise InvalidInput(
            "not a coverage signature of this version (expected "
            f"{SIGNATURE_MAGIC.decode()} and {_HASH_BYTES} bytes of hash values); recompute it with signature()"
        )
    hashes = np.frombuffer(data, dtype="<u4", count=NUM_PERM, offset=4).astype(np.uint32)
    try:
        figures = frozenset(data[4 + _HASH_BYTES :].decode("utf-8").split())
    except UnicodeDecodeError as error:
        raise InvalidInput("a coverage signature's figures are not UTF-8 text") from error
    return _Signature(hashes, figures)


@dataclass(frozen=True)
class Match:
    """A story already held that the new entry may be another version of.

    ``figures_differ`` says the score was cut because the headlines carry different figures.
    """

    story_id: int
    score: float
    figures_differ: bool = False


class CoverageIndex:
    """Stories of the last hours, searchable for another outlet's version of a new entry.

    Signatures sit in one uint32 matrix, a row per story. LSH banding (BANDS keys of BAND_ROWS
    values per story, salted per band, sorted once) finds candidates with one ``searchsorted``;
    stories added after the last sort are compared directly until enough of them gather to sort
    again. Scores come from the full signatures, exactly as ``similarity`` computes them.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput(f"the related-coverage threshold must be in (0, 1], not {threshold!r}")
        import numpy as np

        self.threshold = threshold
        self._hashes = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._size = 0
        self._ids: list[int] = []
        self._figures: list[frozenset[str]] = []
        self._live = np.zeros(0, dtype=bool)
        self._row_of: dict[int, int] = {}
        self._salts = np.random.default_rng(SEED).integers(0, 2**63, size=BANDS, dtype=np.uint64)
        self._sorted_rows = 0
        self._sorted_keys = np.empty(0, dtype=np.uint64)
        self._sorted_owner = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._row_of

    def add(self, story_id: int, title: str, lead: str) -> None:
        """Index a story; adding an id again replaces what it held."""
        self.add_signature(story_id, signature(title, lead))

    def add_signature(self, story_id: int, data: bytes | bytearray | memoryview) -> None:
        """Index a story by the signature stored with it (see ``signature``); a database driver's
        ``memoryview`` or ``bytearray`` will do."""
        parsed = _parse_signature(data)
        self._replace(story_id)
        self._append(story_id, parsed)

    def matches(self, title: str, lead: str, *, limit: int = 5) -> list[Match]:
        """The stories most like this entry, best first (ties: the lower id), at most ``limit``.

        Below the threshold too, for ``fetch --explain``: every story the banding puts forward,
        which is nearly every story scoring 0.2 or more and some scoring less.
        """
        if limit < 0:
            raise InvalidInput(f"limit must not be negative, not {limit}")
        return self._search(_parse_signature(signature(title, lead)), limit)

    def best(self, title: str, lead: str) -> Match | None:
        """The story this entry is another version of: the best match at or above the threshold."""
        found = self.matches(title, lead, limit=1)
        return found[0] if found and found[0].score >= self.threshold else None

    # ---------------------------------------------------------------- storage

    def _replace(self, story_id: int) -> None:
        row = self._row_of.pop(story_id, None)
        if row is not None:
            self._live[row] = False

    def _append(self, story_id: int, parsed: _Signature) -> None:
        import numpy as np

        if self._size == len(self._hashes):
            capacity = max(64, 2 * self._size)
            grown = np.empty((capacity, NUM_PERM), dtype=np.uint32)
            grown[: self._size] = self._hashes[: self._size]
            live = np.zeros(capacity, dtype=bool)
            live[: self._size] = self._live[: self._size]
            self._hashes, self._live = grown, live
        row = self._size
        self._hashes[row] = parsed.hashes
        self._live[row] = not parsed.empty  # an empty story matches nothing
        self._ids.append(story_id)
        self._figures.append(parsed.figures)
        self._row_of[story_id] = row
        self._size += 1

    def _band_keys(self, hashes: Hashes) -> npt.NDArray[np.uint64]:
        """BANDS salted 64-bit keys per row: two adjacent uint32 values read as one uint64."""
        import numpy as np

        pairs = np.ascontiguousarray(hashes[..., : BANDS * BAND_ROWS]).view(np.uint64)
        keyed: npt.NDArray[np.uint64] = pairs ^ self._salts
        return keyed

    def _sort(self) -> None:
        import numpy as np

        keys = self._band_keys(self._hashes[: self._size]).ravel()
        order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[order]
        self._sorted_owner = order // BANDS
        self._sorted_rows = self._size

    def _candidates(self, query: Hashes) -> npt.NDArray[np.int64]:
        import numpy as np

        unsorted = self._size - self._sorted_rows
        if unsorted > 1024 and unsorted > self._sorted_rows // 4:
            self._sort()
            unsorted = 0
        keys = self._band_keys(query)
        found = []
        if self._sorted_rows:
            low = np.searchsorted(self._sorted_keys, keys, side="left")
            high = np.searchsorted(self._sorted_keys, keys, side="right")
            for start, stop in zip(low[high > low].tolist(), high[high > low].tolist(), strict=True):
                found.append(self._sorted_owner[start:stop])
        if unsorted:
            recent = self._band_keys(self._hashes[self._sorted_rows : self._size])
            found.append(self._sorted_rows + np.flatnonzero((recent == keys).any(axis=1)))
        if not found:
            return np.empty(0, dtype=np.int64)
        rows = np.unique(np.concatenate(found).astype(np.int64))
        return rows[self._live[rows]]

    def _search(self, query: _Signature, limit: int) -> list[Match]:
        import numpy as np

        if limit == 0 or query.empty or not self._row_of:
            return []
        rows = self._candidates(query.hashes)
        if rows.size == 0:
            return []
        equal = np.count_nonzero(self._hashes[rows] == query.hashes, axis=1)
        order = np.argsort(-equal, kind="stable")
        found: list[Match] = []
        for row, count in zip(rows[order].tolist(), equal[order].tolist(), strict=True):
            if len(found) >= limit and found[limit - 1].score > count / NUM_PERM:
                break  # no later candidate can score higher: a penalty only lowers a score
            differ = figures_differ(self._figures[row], query.figures)
            found.append(Match(self._ids[row], _final(count / NUM_PERM, differ), differ))
            found.sort(key=lambda match: (-match.score, match.story_id))
        return found[:limit]
