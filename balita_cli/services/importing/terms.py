"""How each section, tag and author is written across one import, and the name each new term
keeps at the end: the spelling most of the import uses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import InvalidInput
from balita_cli.models import Author, Section, Tag
from balita_cli.schema import ArticleInput
from balita_cli.services.importing import bulk as bulk_import
from balita_cli.services.importing.report import Problem
from balita_cli.services.taxonomy import forget_known_terms

TERM_FIELDS: dict[str, type[Section] | type[Tag] | type[Author]] = {"section": Section, "tags": Tag, "authors": Author}


@dataclass
class Spellings:
    """How each section, tag and author is written across one import.

    Terms are one by slug ("Maria Santos" and "maria santos" are one author), and the first
    spelling met creates the term. One mistyped byline must not rename every story of that
    author, so at the end each term this import created is named by the spelling most of its
    records use; on a tie, one that reads as a name ("Maria Santos") over one that reads as a
    login ("maria-santos"), then the first met. A term that was there before keeps its name:
    the newsroom named it.
    """

    counts: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    existed: dict[tuple[str, str], bool] = field(default_factory=dict)

    @staticmethod
    def _terms(record: ArticleInput) -> Iterator[tuple[str, str, str]]:
        for name in TERM_FIELDS:
            value = record.get(name)
            for spelling in [value] if isinstance(value, str) else value or []:
                cleaned = " ".join(str(spelling).split())
                try:
                    yield name, bulk_import.cached_term(_KINDS[name], cleaned)[0], cleaned
                except InvalidInput:
                    continue

    def look_up_all(self, session: Session, records: Iterable[ArticleInput]) -> None:
        """Note, before the records are written, which of their terms the database holds
        already: one query a kind of term."""
        asked: dict[str, set[str]] = {}
        for record in records:
            for name, slug, _spelling in self._terms(record):
                if (name, slug) not in self.existed:
                    asked.setdefault(name, set()).add(slug)
        for name, slugs in asked.items():
            kind = TERM_FIELDS[name]
            found: set[str] = set()
            for chunk in _chunks(sorted(slugs)):
                found.update(session.execute(select(col(kind.slug)).where(col(kind.slug).in_(chunk))).scalars())
            self.existed.update({(name, slug): slug in found for slug in slugs})

    def count(self, record: ArticleInput) -> None:
        for name, slug, spelling in self._terms(record):
            if not self.existed.get((name, slug), True):
                spellings = self.counts.get((name, slug))
                if spellings is None:  # not setdefault, which would make a Counter for every term
                    spellings = self.counts[name, slug] = Counter()
                spellings[spelling] += 1

    def to_settle(self) -> bool:
        return any(len(spellings) > 1 for spellings in self.counts.values())

    def settle(self, session: Session) -> list[Problem]:
        """Rename each term this import created to its usual spelling; what was renamed, as warnings."""
        renamed: list[Problem] = []
        for (name, slug), spellings in self.counts.items():
            if len(spellings) < 2:
                continue
            first = list(spellings)
            best = max(first, key=lambda s: (spellings[s], _reads_as_name(s), -first.index(s)))
            kind = TERM_FIELDS[name]
            statement = update(kind).where(col(kind.slug) == slug, col(kind.name) != best)
            result = session.execute(statement.values(name=best))
            if getattr(result, "rowcount", 0):
                others = ", ".join(f"{s!r} ({spellings[s]})" for s in first if s != best)
                renamed.append(
                    Problem(_KINDS[name], f"{best!r} ({spellings[best]}) is also written {others}; named {best!r}")
                )
        forget_known_terms(session)
        return renamed


_KINDS = {"section": "section", "tags": "tag", "authors": "author"}


def _chunks(values: list[str], size: int = bulk_import.CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _reads_as_name(spelling: str) -> bool:
    """ "Maria Santos" reads as a name; "maria-santos" or "msantos" as a login."""
    return " " in spelling or any(char.isupper() for char in spelling)
