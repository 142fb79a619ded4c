"""Bringing articles in from other systems: each record a reader yields is written, or reported.

Records are written in batches, each batch one transaction opened through the caller's session
factory; each record inside a savepoint, so a bad one is reported and skipped while the rest of
its batch is kept. Articles are created by ``articles.create``, the same call as ``new``.
Importing the same input twice creates nothing new: a record is matched on its external id
(``wxr:<guid>``, ``ghost:<id>``, ``feed:<guid>``, ``md:<path>``…), else on its slug.

Old addresses come in as aliases: an old slug, or any other path of the site the story came from
(``/2019/05/old-title/``), kept as a path so the site can keep it resolving. A section, tag or
author spelled several ways in one import ("Maria Santos" on eleven posts, "maria santos" on one)
is one term; it is named by the spelling most of the import uses, not by the first one met.

``--update`` refreshes an article's content from its source, never its status (a retraction is
final, a publication is an editor's decision), and never over an editor's own changes: an
article edited since it was imported is reported as a conflict and left as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import BalitaError, Conflict, InvalidInput
from balita_cli.formats.readers.base import ReadItem, Rejected, Skipped, alias_of
from balita_cli.models import Article, Author, Revision, Section, Tag
from balita_cli.schema import BY_NAME, EDITOR_FIELDS, ArticleInput, Kind, check_language, is_web_url, strip_controls
from balita_cli.services import articles
from balita_cli.slugs import make_slug, term_slug

DEFAULT_BATCH_SIZE = 200
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
    batches = [items] if settings.dry_run else _batches(items, settings.batch_size)
    for batch in batches:
        pending = ImportSummary(dry_run=settings.dry_run)
        with open_session() as session:
            _take_turn(session)
            for item in batch:
                _handle(session, item, pending, settings, spellings)
                on_item()
            if settings.dry_run:
                pending.warnings.extend(spellings.settle(session))
                session.rollback()
        _add(summary, pending)
    if not settings.dry_run and spellings.to_settle():
        with open_session() as session:
            _take_turn(session)
            summary.warnings.extend(spellings.settle(session))
    return summary


def _batches(items: Iterable[ReadItem], size: int) -> Iterator[list[ReadItem]]:
    iterator = iter(items)
    while batch := list(islice(iterator, max(size, 1))):
        yield batch


def _take_turn(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def _add(total: ImportSummary, batch: ImportSummary) -> None:
    for name in ("created", "updated", "duplicates", "rejected", "conflicts"):
        setattr(total, name, getattr(total, name) + getattr(batch, name))
    total.skipped.update(batch.skipped)
    total.problems.extend(batch.problems)
    total.warnings.extend(batch.warnings)


def _handle(
    session: Session, item: ReadItem, summary: ImportSummary, settings: ImportSettings, spellings: Spellings
) -> None:
    if isinstance(item, Skipped):
        summary.skipped[item.kind] += 1
        return
    if isinstance(item, Rejected):
        summary.rejected += 1
        summary.problems.append(Problem(item.origin, item.reason))
        return
    spellings.look_up(session, item)
    try:
        with session.begin_nested():
            outcome = import_record(session, item, settings)
    except Conflict as exc:
        summary.conflicts += 1
        summary.warnings.append(Problem(item.origin, exc.message))
        return
    except BalitaError as exc:
        summary.rejected += 1
        summary.problems.append(Problem(item.origin, exc.message))
        return
    setattr(summary, outcome, getattr(summary, outcome) + 1)
    if outcome != "duplicates":
        spellings.count(item)
    summary.warnings.extend(Problem(item.origin, note) for note in item.notes)


def import_record(session: Session, record: ArticleInput, settings: ImportSettings) -> str:
    """Create, refresh or skip one record; returns "created", "updated" or "duplicates"."""
    prepared = prepare(record, settings)
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
    for name, value in values.items():
        if BY_NAME[name].kind is Kind.URL and value and not is_web_url(str(value).strip()):
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


def _without_controls(name: str, value: Any) -> Any:
    prose = BY_NAME[name].kind is Kind.PROSE
    if isinstance(value, str):
        return strip_controls(value, prose=prose)
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
                    yield name, term_slug(_KINDS[name], cleaned), cleaned
                except InvalidInput:
                    continue

    def look_up(self, session: Session, record: ArticleInput) -> None:
        """Note, before the record is written, which of its terms the database holds already."""
        for name, slug, _spelling in self._terms(record):
            if (name, slug) not in self.existed:
                kind = TERM_FIELDS[name]
                found = session.execute(select(col(kind.id)).where(col(kind.slug) == slug)).first()
                self.existed[(name, slug)] = found is not None

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


def _reads_as_name(spelling: str) -> bool:
    """ "Maria Santos" reads as a name; "maria-santos" or "msantos" as a login."""
    return " " in spelling or any(char.isupper() for char in spelling)
