"""Related stories and the previous and next story of a section, from the light site index.

Related stories share tags with the article (each shared tag counts two) or its section (one),
and are the nearest in time among those: for each tag and the section only ``NEAREST`` stories
either side of the article are looked at, so a tag on thousands of stories costs no more than a
rare one. Only listed stories (published or retracted, not archived) are linked.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

IndexEntry = Mapping[str, Any]  # id, slug, title, published_at, section, tags, listed (services/site.py)

RELATED = 4
NEAREST = 12


@dataclass(frozen=True)
class Neighbours:
    related: tuple[IndexEntry, ...] = ()
    newer: IndexEntry | None = None  # the next story of the section, published later
    older: IndexEntry | None = None


@dataclass
class RelatedIndex:
    """``neighbours(article_id)`` for every article of the index (newest first)."""

    entries: Sequence[IndexEntry]
    _position: dict[int, int] = field(default_factory=dict)
    _by_tag: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _by_section: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for position, entry in enumerate(self.entries):
            self._position[entry["id"]] = position
            if not entry["listed"]:
                continue
            for tag in entry["tags"]:
                self._by_tag[tag].append(position)
            if entry["section"]:
                self._by_section[entry["section"]].append(position)

    def neighbours(self, article_id: int) -> Neighbours:
        position = self._position.get(article_id)
        if position is None:
            return Neighbours()
        entry = self.entries[position]
        scores: dict[int, int] = defaultdict(int)
        for tag in entry["tags"]:
            for other in _near(self._by_tag.get(tag, []), position):
                scores[other] += 2
        section = self._by_section.get(entry["section"], []) if entry["section"] else []
        for other in _near(section, position):
            scores[other] += 1
        scores.pop(position, None)
        ranked = sorted(scores, key=lambda other: (-scores[other], abs(other - position), other))
        related = tuple(self.entries[other] for other in ranked[:RELATED])
        at = bisect_left(section, position)
        newer = self.entries[section[at - 1]] if at > 0 else None
        after = at + 1 if at < len(section) and section[at] == position else at
        older = self.entries[section[after]] if after < len(section) else None
        return Neighbours(related, newer, older)


def _near(members: list[int], position: int) -> list[int]:
    """Up to ``NEAREST`` members either side of ``position`` (members are index positions)."""
    at = bisect_left(members, position)
    return members[max(0, at - NEAREST) : at + NEAREST + 1]
