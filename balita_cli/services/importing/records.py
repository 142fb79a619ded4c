"""One imported record on its own: made ready (``prepare``), matched with the article it was
imported as before (``find_existing``), created, or refreshed from its source (``refresh``).

Every record once went this way, under a savepoint of its own; a batch still sends here each
record that is not plainly new (``import_batches``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.db.dbapi import Database
from balita_cli.errors import Conflict, InvalidInput
from balita_cli.formats.readers.base import alias_of
from balita_cli.models import Article, Revision
from balita_cli.schema import BY_NAME, EDITOR_FIELDS, ArticleInput, Kind, check_language, is_web_url, strip_controls
from balita_cli.services import articles, documents, notices, revisions
from balita_cli.services.importing.report import ImportSettings
from balita_cli.slugs import make_slug, term_slug

IMPORT_NOTE = "imported from "


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
    values: dict[str, Any] = {}
    for name, value in record.values.items():
        if type(value) is str:
            values[name] = strip_controls(value, prose=name in PROSE_FIELDS) if value else value
        else:
            values[name] = _without_controls(name, value)
        kept = values[name]
        if kept and name in URL_FIELDS and not is_web_url(str(kept).strip()):
            record.notes.append(f"{name} {str(kept)[:60]!r} is not an http(s) URL; left out")
            values[name] = ""
    prepared = ArticleInput(origin=record.origin, notes=record.notes)
    prepared.values = values  # the names of an ArticleInput already
    prepared.base_version = record.base_version
    slug = make_slug(unquote(str(record.get("slug") or ""))) if record.get("slug") else ""
    values["slug"] = slug or None
    values["language"] = check_language(str(record.get("language") or settings.language))
    if "aliases" in values:
        values["aliases"] = _aliases(values.get("aliases") or [], prepared.notes)
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
    return {
        name: new.get(name) for name in names if _comparable(name, new.get(name)) != _comparable(name, old.get(name))
    }


def refresh(session: Session, article_id: int, record: ArticleInput, settings: ImportSettings) -> bool:
    """``--update``: bring an imported article's content in line with its source, merged three
    ways: the source's changes since the version it was based on go on top of the newsroom's,
    and a field both changed differently is a conflict, refreshed not at all. Status and
    publication times stay as the newsroom set them. False when nothing differs."""
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
    added = notices.add_notices(session, article_id, record.get("corrections") or ())
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
