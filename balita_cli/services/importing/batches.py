"""One batch of an import: its records sorted, the plainly new ones written together by set-based
statements (``bulk``), every other one on its own under a savepoint, in its place. The batches
are read and prepared ahead of the writer by ``read_ahead``.

A bad record is reported and skipped while the rest of its batch is kept: when the set-based write
of a group fails, the group is written again record by record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from balita_cli.errors import BalitaError, Conflict
from balita_cli.formats.readers.base import ReadItem, Rejected, Skipped
from balita_cli.schema import ArticleInput
from balita_cli.services import articles, permissions
from balita_cli.services.importing import bulk as bulk_import
from balita_cli.services.importing.records import import_prepared, prepare
from balita_cli.services.importing.report import ImportSettings, ImportSummary, Problem
from balita_cli.services.importing.terms import Spellings


def batches(items: Iterable[ReadItem], settings: ImportSettings) -> Iterator[list[ReadItem]]:
    """The items a batch at a time, as read."""
    iterator = iter(items)
    while batch := list(islice(iterator, max(settings.batch_size, 1))):
        yield batch


def prepared(batch: list[ReadItem], settings: ImportSettings) -> list[Read]:
    """The batch with each article through ``prepare`` and the checks of a new article
    (``_prepared``: no database, so they run on the reading side, ``read_ahead``)."""
    return [_prepared(item, settings) if isinstance(item, ArticleInput) else item for item in batch]


@dataclass
class Outcome:
    """What became of one item: the summary's count it adds to, and what it reports."""

    count: str  # created, updated, duplicates, rejected, conflicts, or skipped:<kind>
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def add_to(self, summary: ImportSummary) -> None:
        if self.count.startswith("skipped:"):
            summary.skipped[self.count.removeprefix("skipped:")] += 1
        else:
            setattr(summary, self.count, getattr(summary, self.count) + 1)
        summary.problems.extend(self.problems)
        summary.warnings.extend(self.warnings)


@dataclass
class _Record:
    """An article of the batch: as read, as prepared, and where it stands."""

    item: ArticleInput
    position: int = 0
    prepared: ArticleInput | None = None
    values: dict[str, Any] | None = None  # the columns articles.create would insert
    base: str = ""  # the slug it asks for
    terms: bulk_import.Terms | None = None  # a plain record's section, tags and authors
    refused: BalitaError | None = None  # what articles.create would raise


Read = Skipped | Rejected | _Record  # an item of a batch, articles prepared


def articles_read(batch: list[Read]) -> Iterator[ArticleInput]:
    """Each article of the batch as it was read."""
    return (read.item for read in batch if isinstance(read, _Record))


def import_batch(
    session: Session,
    batch: list[Read],
    summary: ImportSummary,
    settings: ImportSettings,
    spellings: Spellings,
    on_item: Callable[[], None],
) -> None:
    """Write one batch. Plain new records are written together (``bulk_import``); any other
    record is written as before, one by one under a savepoint, in its place: the plain records
    before it are written first. A group whose set-based write fails is written again record
    by record, so a bad record rejects only itself."""
    outcomes: list[Outcome | None] = []
    records: list[_Record] = []
    for item in batch:
        if isinstance(item, Skipped):
            outcomes.append(Outcome(f"skipped:{item.kind}"))
        elif isinstance(item, Rejected):
            outcomes.append(Outcome("rejected", [Problem(item.origin, item.reason)]))
        elif item.prepared is None:
            assert item.refused is not None
            outcomes.append(Outcome("rejected", [Problem(item.item.origin, item.refused.message)]))
        else:
            item.position = len(outcomes)
            outcomes.append(None)
            records.append(item)
    taken = bulk_import.look_up(session, [record.prepared for record in records if record.prepared])
    # What the batch may write: the new records (checked now, all together) and, with --update,
    # the known ones. A plain re-import of known records asks nothing more of the database.
    new = [r for r in records if r.prepared and bulk_import.match(taken, r.prepared) is None]
    for record in new:
        _may_create(session, record)
    new_ones = [record.prepared for record in new if record.prepared]
    bulk_import.look_up_new(session, taken, new_ones, _slugs_of(new))
    spellings.look_up_all(session, [r.item for r in (records if settings.update else new)])
    group: list[tuple[_Record, bulk_import.Planned]] = []

    def write_group() -> None:
        if group:
            _write_group(session, group, outcomes, taken, settings, spellings)
            group.clear()

    for record in records:
        planned, outcome = _sort(record, taken, settings)
        if planned is not None:
            group.append((record, planned))
            taken.claimed.update(planned.claims())
        elif outcome is not None:
            outcomes[record.position] = outcome
        else:
            write_group()
            taken.claimed.update(_claims(record))
            outcomes[record.position] = _one_by_one(session, record, settings, spellings)
    write_group()
    for outcome in outcomes:
        assert outcome is not None
        outcome.add_to(summary)
        on_item()


def _prepared(item: ArticleInput, settings: ImportSettings) -> _Record:
    """The record through ``prepare`` and, should it turn out to be new, through every check
    ``articles.create`` makes that needs no database: the reading thread does this work while
    the writer waits for the database. What create would refuse is kept, and reported only if
    the record is new."""
    record = _Record(item)
    try:
        record.prepared = prepare(item, settings)
    except BalitaError as exc:
        record.refused = exc
        return record
    try:
        record.values, record.base = articles.new_values(record.prepared, who=settings.who)
        if bulk_import.is_plain(record.prepared):
            record.terms = bulk_import.terms(record.prepared)
    except BalitaError as exc:
        record.refused = exc
    return record


def _may_create(session: Session, record: _Record) -> None:
    """The last check of ``articles.creation_values``, which needs the database: whether the
    connected role may create the article."""
    if record.values is None or record.refused is not None:
        return
    try:
        permissions.require(session, permissions.creating(record.values), own=True)
    except BalitaError as exc:
        record.refused = exc


def _slugs_of(records: Iterable[_Record]) -> Iterator[str]:
    """The slugs new records would take: the one each would get, and its old addresses."""
    for record in records:
        if record.prepared is not None:
            if record.base:
                yield record.base
            yield from (str(alias) for alias in record.prepared.get("aliases") or ())


def _claims(record: _Record) -> Iterator[str]:
    """What a record written one by one may have taken: later ones touching it are written one
    by one too (a slug it was given with a number is caught by the unique constraint)."""
    assert record.prepared is not None
    for name in ("external_id", "slug"):
        if record.prepared.get(name):
            yield str(record.prepared[name])
    if record.base:
        yield record.base
    yield from (str(alias) for alias in record.prepared.get("aliases") or ())


def _sort(
    record: _Record, taken: bulk_import.Taken, settings: ImportSettings
) -> tuple[bulk_import.Planned | None, Outcome | None]:
    """A plain new record planned, an outcome known without writing, or (None, None): write it
    one by one."""
    prepared = record.prepared
    assert prepared is not None
    if not bulk_import.is_plain(prepared):
        return None, None
    existing = bulk_import.match(taken, prepared)
    if existing == bulk_import.UNSURE or existing is not None and settings.update:
        return None, None
    if existing is not None:
        return None, Outcome("duplicates", warnings=_notes(record.item))
    try:
        if record.refused is not None:
            raise record.refused
        assert record.values is not None and record.terms is not None
        return bulk_import.plan(prepared, record.values, record.base, record.terms, taken), None
    except Conflict as exc:
        return None, Outcome("conflicts", warnings=[Problem(record.item.origin, exc.message)])
    except BalitaError as exc:
        return None, Outcome("rejected", [Problem(record.item.origin, exc.message)])


def _notes(item: ArticleInput) -> list[Problem]:
    return [Problem(item.origin, note) for note in item.notes]


def _write_group(
    session: Session,
    group: list[tuple[_Record, bulk_import.Planned]],
    outcomes: list[Outcome | None],
    taken: bulk_import.Taken,
    settings: ImportSettings,
    spellings: Spellings,
) -> None:
    try:
        with session.begin_nested():
            created_terms = bulk_import.write(session, [planned for _record, planned in group], taken)
    except (SQLAlchemyError, BalitaError):
        for record, _planned in group:  # another writer took a slug meanwhile, or worse: one by one
            outcomes[record.position] = _one_by_one(session, record, settings, spellings)
        return
    for kind, ids in created_terms.items():
        taken.terms[kind].update(ids)
    for record, _planned in group:
        outcomes[record.position] = Outcome("created", warnings=_notes(record.item))
        spellings.count(record.item)


def _one_by_one(session: Session, record: _Record, settings: ImportSettings, spellings: Spellings) -> Outcome:
    """The record written on its own, under a savepoint, as every record once was."""
    item, prepared = record.item, record.prepared
    assert prepared is not None
    try:
        with session.begin_nested():
            outcome = import_prepared(session, prepared, settings)
    except Conflict as exc:
        return Outcome("conflicts", warnings=[Problem(item.origin, exc.message)])
    except BalitaError as exc:
        return Outcome("rejected", [Problem(item.origin, exc.message)])
    if outcome != "duplicates":
        spellings.count(item)
    return Outcome(outcome, warnings=_notes(item))
