"""Bringing articles in from other systems: each record a reader yields is written, or reported.

Records are written in batches, each batch one transaction opened through the caller's session
factory, while a thread reads and parses the next batches. In a batch, the records that are
plainly new are checked as ``articles.create`` checks them (``new`` makes articles the same way)
and written together by a few set-based statements (``bulk_import``); every other record — one
already imported, one whose slug is taken, one with a photo, notices or related coverage — goes
through ``articles.create`` or ``refresh`` on its own under a savepoint, in its place. A bad
record is reported and skipped while the rest of its batch is kept: when the set-based write of
a group fails, the group is written again record by record. Importing the same input twice
creates nothing new: a record is matched on its external id (``wxr:<guid>``, ``ghost:<id>``,
``feed:<guid>``, ``md:<path>``…), else on its slug.

Old addresses come in as aliases: an old slug, or any other path of the site the story came from
(``/2019/05/old-title/``), kept as a path so the site can keep it resolving. A section, tag or
author spelled several ways in one import ("Maria Santos" on eleven posts, "maria santos" on one)
is one term; it is named by the spelling most of the import uses, not by the first one met.

``--update`` refreshes an article's content from its source, never its status (a retraction is
final, a publication is an editor's decision), and never over an editor's own changes: an
article edited since it was imported is reported as a conflict and left as it is.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field
from itertools import islice
from queue import Full, Queue
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import BalitaError, Conflict, InvalidInput
from balita_cli.formats.readers.base import ReadItem, Rejected, Skipped, alias_of
from balita_cli.models import Article, Author, Revision, Section, Tag
from balita_cli.schema import BY_NAME, EDITOR_FIELDS, ArticleInput, Kind, check_language, is_web_url, strip_controls
from balita_cli.services import articles, bulk_import
from balita_cli.slugs import make_slug

DEFAULT_BATCH_SIZE = 200
READ_AHEAD = 2  # batches read ahead of the one being written
IMPORT_NOTE = "imported from "
# Imports into one PostgreSQL database take turns, a batch at a time, so two runs of the same
# file cannot both find a record missing and both create it.
IMPORT_LOCK_KEY = 0x62616C69746101

SessionFactory = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Problem:
    origin: str
    message: str


@dataclass
class ImportSummary:
    """What an import did; ``as_dict`` is the stable shape printed by ``--format json``."""

    dry_run: bool = False
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    conflicts: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return (
            self.created + self.updated + self.duplicates + self.rejected + self.conflicts + sum(self.skipped.values())
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": [{"origin": p.origin, "message": p.message} for p in self.problems],
            "warnings": [{"origin": p.origin, "message": p.message} for p in self.warnings],
        }


@dataclass(frozen=True)
class ImportSettings:
    language: str = "en"  # for records that do not say
    who: str = ""
    update: bool = False  # refresh articles whose source changed
    dry_run: bool = False  # do everything, then roll back
    batch_size: int = DEFAULT_BATCH_SIZE


def run_import(
    items: Iterable[ReadItem],
    open_session: SessionFactory,
    settings: ImportSettings,
    summary: ImportSummary | None = None,
    *,
    on_item: Callable[[], None] = lambda: None,
) -> ImportSummary:
    """Write ``items`` batch by batch; a dry run uses one transaction and rolls it back.

    ``summary`` is filled as batches commit, so a caller interrupted half way can say what was
    written.
    """
    summary = summary or ImportSummary(dry_run=settings.dry_run)
    spellings = Spellings()
    with closing(_read_ahead(_batches(items, settings))) as batches:
        if settings.dry_run:
            pending = ImportSummary(dry_run=True)
            with open_session() as session:
                _take_turn(session)
                for batch in batches:
                    _import_batch(session, batch, pending, settings, spellings, on_item)
                pending.warnings.extend(spellings.settle(session))
                session.rollback()
            _add(summary, pending)
            return summary
        for batch in batches:
            pending = ImportSummary()
            with open_session() as session:
                _take_turn(session)
                _import_batch(session, batch, pending, settings, spellings, on_item)
            _add(summary, pending)
    if spellings.to_settle():
        with open_session() as session:
            _take_turn(session)
            summary.warnings.extend(spellings.settle(session))
    return summary


def _batches(items: Iterable[ReadItem], settings: ImportSettings) -> Iterator[list[Read]]:
    """The items a batch at a time, each article already through ``prepare`` (which needs no
    database, so it runs in the reading thread)."""
    iterator = iter(items)
    while batch := list(islice(iterator, max(settings.batch_size, 1))):
        yield [_prepared(item, settings) if isinstance(item, ArticleInput) else item for item in batch]


def _read_ahead(batches: Iterator[list[Read]], depth: int = READ_AHEAD) -> Generator[list[Read]]:
    """The batches, read and parsed in a thread of their own up to ``depth`` batches ahead of the
    writer: the database's work (SQLite's, or the wait for PostgreSQL) and the disk's release the
    interpreter, so reading the next batch overlaps writing this one. What the reader raises is
    raised here, in its place in the stream."""
    ready: Queue[tuple[bool, Any]] = Queue(maxsize=max(depth, 1))
    stop = threading.Event()

    def hand_over(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not hand_over((True, batch)):
                    return
            hand_over((False, None))
        except BaseException as exc:  # noqa: BLE001  (handed to the writer's thread, raised there)
            hand_over((False, exc))

    reader = threading.Thread(target=read, name="balita-import-reader", daemon=True)
    reader.start()
    try:
        while True:
            is_batch, value = ready.get()
            if is_batch:
                yield value
            elif value is None:
                return
            else:
                raise value
    finally:
        stop.set()  # the writer stopped (done, failed or interrupted): the reader stops too


def _take_turn(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def _add(total: ImportSummary, batch: ImportSummary) -> None:
    for name in ("created", "updated", "duplicates", "rejected", "conflicts"):
        setattr(total, name, getattr(total, name) + getattr(batch, name))
    total.skipped.update(batch.skipped)
    total.problems.extend(batch.problems)
    total.warnings.extend(batch.warnings)


# ---------------------------------------------------------------- one batch


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
    values: dict[str, Any] | None = None
    base: str = ""
    refused: BalitaError | None = None  # what articles.create would raise


Read = Skipped | Rejected | _Record  # an item of a batch, articles prepared


def _import_batch(
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
        _creation_values(session, record, settings)
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
    record = _Record(item)
    try:
        record.prepared = prepare(item, settings)
    except BalitaError as exc:
        record.refused = exc
    return record


def _creation_values(session: Session, record: _Record, settings: ImportSettings) -> None:
    """The record's checked column values and slug, as ``articles.create`` would insert them;
    what it would refuse is kept, and reported only if the record turns out to be new."""
    assert record.prepared is not None
    try:
        record.values, record.base = articles.creation_values(session, record.prepared, who=settings.who)
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
        assert record.values is not None
        return bulk_import.plan(prepared, record.values, record.base, taken), None
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


def import_record(session: Session, record: ArticleInput, settings: ImportSettings) -> str:
    """Create, refresh or skip one record; returns "created", "updated" or "duplicates"."""
    return import_prepared(session, prepare(record, settings), settings)


def import_prepared(session: Session, prepared: ArticleInput, settings: ImportSettings) -> str:
    """``import_record`` of a record ``prepare`` has made ready."""
    _photo_in_library(session, prepared)
    existing = find_existing(session, prepared)
    if existing is None:
        aliases = prepared.get("aliases") or []
        prepared["aliases"] = []  # kept below, paths as paths (articles.create keeps slugs only)
        article_id = articles.create(session, prepared, who=settings.who)
        for alias in aliases:
            _keep_alias(session, article_id, alias, prepared)
        return "created"
    if settings.update and refresh(session, existing, prepared, settings):
        return "updated"
    return "duplicates"


def prepare(record: ArticleInput, settings: ImportSettings) -> ArticleInput:
    """The record as the article service takes it: control characters stripped (the service
    refuses them from a person; from an archive they are noise), its slug made from the source's
    (WordPress percent-encodes Unicode ones), its language defaulted and checked."""
    values = {name: _without_controls(name, value) for name, value in record.values.items()}
    for name in URL_FIELDS.intersection(values):
        value = values[name]
        if value and not is_web_url(str(value).strip()):
            record.notes.append(f"{name} {str(value)[:60]!r} is not an http(s) URL; left out")
            values[name] = ""
    prepared = ArticleInput(values, origin=record.origin, notes=record.notes)
    prepared.base_version = record.base_version
    slug = make_slug(unquote(str(record.get("slug") or ""))) if record.get("slug") else ""
    prepared["slug"] = slug or None
    prepared["language"] = check_language(str(record.get("language") or settings.language))
    if "aliases" in prepared:
        prepared["aliases"] = _aliases(prepared.get("aliases") or [], prepared.notes)
    return prepared


def _aliases(values: Iterable[Any], notes: list[str]) -> list[str]:
    """Old addresses as the article keeps them (see ``alias_of``); what cannot be kept is noted."""
    kept: list[str] = []
    for value in values:
        try:
            alias = alias_of(value)
        except InvalidInput as exc:
            notes.append(f"{exc.message}; not kept")
            continue
        if alias not in kept:
            kept.append(alias)
    return kept


URL_FIELDS = frozenset(spec.name for spec in BY_NAME.values() if spec.kind is Kind.URL)
PROSE_FIELDS = frozenset(spec.name for spec in BY_NAME.values() if spec.kind is Kind.PROSE)


def _without_controls(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return strip_controls(value, prose=name in PROSE_FIELDS) if value else value
    if isinstance(value, list):
        return [_without_controls(name, item) for item in value]
    if isinstance(value, dict):
        return {key: strip_controls(item, prose=True) if isinstance(item, str) else item for key, item in value.items()}
    return value


def _photo_in_library(session: Session, record: ArticleInput) -> None:
    """A photo the record names but this media library lacks is left out, with a note."""
    if not record.get("photo"):
        return
    try:
        articles.photo_id(session, record["photo"])
    except InvalidInput as exc:
        record.notes.append(f"{exc.message}; the article comes in without it")
        record["photo"] = None


# ---------------------------------------------------------------- matching


def find_existing(session: Session, record: ArticleInput) -> int | None:
    """The article this record was imported as before, if any.

    By external id first. Otherwise by slug, but only an article that came from the same
    place: one with no external id (or the same one), and — when the record has an external id —
    the same title. Another story that merely shares the slug is not a match; the new one gets
    ``-2`` as ``new`` would give it.
    """
    external_id = record.get("external_id")
    if external_id:
        found = session.execute(select(col(Article.id)).where(col(Article.external_id) == external_id)).scalar()
        if found is not None:
            return int(found)
    if not record.get("slug"):
        return None
    candidate = session.execute(
        select(col(Article.id), col(Article.external_id), col(Article.title)).where(col(Article.slug) == record["slug"])
    ).first()
    if candidate is None or candidate.external_id not in (None, external_id):
        return None
    if external_id and _folded(candidate.title) != _folded(str(record.get("title") or "")):
        return None
    return int(candidate.id)


def _folded(title: str) -> str:
    return " ".join(title.split()).casefold()


# ---------------------------------------------------------------- refreshing


def import_base(session: Session, article_id: int, record: ArticleInput, current: int) -> int:
    """The version the source's copy was based on: what our own export said (``version`` in
    jsonl or csv), else the version the last import wrote, else the current one."""
    if record.base_version is not None and 1 <= record.base_version <= current:
        return record.base_version
    versions = session.execute(
        select(col(Revision.version), col(Revision.note)).where(col(Revision.article_id) == article_id)
    ).all()
    imported = [version for version, note in versions if note.startswith(IMPORT_NOTE)]
    if imported:
        return max(imported)
    external = session.execute(select(col(Article.external_id)).where(col(Article.id) == article_id)).scalar()
    return 1 if external else current


def _comparable(name: str, value: Any) -> Any:
    """A value as two copies of a field are compared: names by slug, times as instants."""
    from datetime import datetime

    from balita_cli.slugs import term_slug

    if name == "tags":
        return sorted({term_slug("tag", tag) for tag in value or []})
    if name == "authors":
        return _slugs(value or [])
    if name == "section":
        return make_slug(value) if value else None
    if BY_NAME[name].kind is Kind.TIME:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else value
    return "" if value is None else value


def _differences(old: dict[str, Any], new: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: new.get(name) for name in names
            if _comparable(name, new.get(name)) != _comparable(name, old.get(name))}  # fmt: skip


def refresh(session: Session, article_id: int, record: ArticleInput, settings: ImportSettings) -> bool:
    """``--update``: bring an imported article's content in line with its source, merged three
    ways: the source's changes since the version it was based on go on top of the newsroom's,
    and a field both changed differently is a conflict, refreshed not at all. Status and
    publication times stay as the newsroom set them. False when nothing differs."""
    from datetime import UTC

    from balita_cli.db.dbapi import Database
    from balita_cli.services import corrections, documents, revisions

    db = Database.of_session(session)
    now = articles.current(session, article_id)
    base = revisions.content(db, article_id, import_base(session, article_id, record, int(now["version"])))
    fields = [name for name in EDITOR_FIELDS if name in record and name != "slug"]
    theirs = _differences(base, {name: record[name] for name in fields}, fields)
    ours = _differences(base, now, fields)
    clashes = [
        name for name in theirs if name in ours and _comparable(name, theirs[name]) != _comparable(name, now[name])
    ]
    if clashes:
        raise Conflict(
            f"article {article_id} was changed here and at its source since it was imported "
            f"({', '.join(clashes)}); not refreshed"
        )
    wanted = _differences(now, theirs, theirs)
    added = corrections.add_notices(session, article_id, record.get("corrections") or ())
    added += sum(_keep_alias(session, article_id, alias, record) for alias in record.get("aliases") or ())
    if not wanted:
        return added > 0
    changes = documents.changes_from(wanted, UTC)
    articles.update(session, article_id, changes, who=settings.who, note=f"{IMPORT_NOTE}{record.origin}")
    return True


def _slugs(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(make_slug(name) for name in names))


def _keep_alias(session: Session, article_id: int, alias: str, record: ArticleInput) -> int:
    """Keep an old address (a slug, or a path: see ``prepare``) resolving to the article."""
    try:
        with session.begin_nested():
            return int(articles.keep_old_slug(session, article_id, alias))
    except Conflict as exc:
        record.notes.append(f"alias {alias!r} not kept: {exc.message}")
        return 0


# ---------------------------------------------------------------- spellings of terms

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
                self.counts.setdefault((name, slug), Counter())[spelling] += 1

    def to_settle(self) -> bool:
        return any(len(spellings) > 1 for spellings in self.counts.values())

    def settle(self, session: Session) -> list[Problem]:
        """Rename each term this import created to its usual spelling; what was renamed, as warnings."""
        from sqlalchemy import update

        from balita_cli.services.taxonomy import forget_known_terms

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
                renamed.append(Problem(_KINDS[name], f"{best!r} ({spellings[best]}) is also written {others}; "
                                                     f"named {best!r}"))  # fmt: skip
        forget_known_terms(session)
        return renamed


_KINDS = {"section": "section", "tags": "tag", "authors": "author"}


def _chunks(values: list[str], size: int = bulk_import.CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _reads_as_name(spelling: str) -> bool:
    """ "Maria Santos" reads as a name; "maria-santos" or "msantos" as a login."""
    return " " in spelling or any(char.isupper() for char in spelling)
