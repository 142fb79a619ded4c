"""Writing imported articles many at a time: a few set-based statements a batch, not one an article.

A record that is plainly new (no article holds its external id or slug, and it names no photo,
notices or coverage) is checked as ``articles.create`` would, planned here (``plan``) and written
with the plain records around it (``write``): what the batch needs to know of the database is
asked once (``look_up``), and articles, links and old addresses are written by a few multi-row
statements (``insert_rows``). Every other record goes record by record, in its place. The search
index stays with the database's triggers, which index a multi-row INSERT in one go."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput
from balita_cli.models import Article, ArticleAuthor, ArticleSlug, ArticleTag, Author, Section, Tag
from balita_cli.schema import ArticleInput, check_name, check_value
from balita_cli.slugs import term_slug

# Values a query names at once: SQLite allows 999 parameters a statement before version 3.32.
CHUNK = 900
UNSURE = -1  # ``match``: a record written since the look-up may be the one; ask the database

TERM_KINDS: dict[str, type[Section] | type[Tag] | type[Author]] = {"section": Section, "tag": Tag, "author": Author}
Term = tuple[str, str]  # slug, and the name the term gets if it is new


@lru_cache(maxsize=8192)
def cached_term(kind: str, name: str) -> Term:
    """A term's slug and checked name (``taxonomy.get_or_create``'s rules); names repeat across an
    import, so each spelling is worked out once. Raises InvalidInput (not cached)."""
    return term_slug(kind, name), check_name(kind, name)


@dataclass
class Planned:
    """A plainly new record, checked, and what its rows hold."""

    record: ArticleInput
    values: dict[str, Any]
    slug: str
    section: Term | None
    tags: list[Term]
    authors: list[Term]
    aliases: list[str]

    def claims(self) -> Iterator[str]:
        """The unique values the record takes: its external id, slug and old addresses."""
        if self.values.get("external_id"):
            yield str(self.values["external_id"])
        yield self.slug
        yield from self.aliases


@dataclass
class Taken:
    """What the database held when the batch was looked up, and what was written since."""

    external_ids: dict[str, int] = field(default_factory=dict)
    slugs: dict[str, tuple[int, str | None, str]] = field(default_factory=dict)  # -> id, external id, title
    old_slugs: set[str] = field(default_factory=set)  # article_slug: old slugs and old paths
    terms: dict[str, dict[str, int]] = field(default_factory=lambda: {kind: {} for kind in TERM_KINDS})
    claimed: set[str] = field(default_factory=set)  # external ids, slugs, aliases written since

    def is_free(self, slug: str) -> bool:
        return slug not in self.slugs and slug not in self.old_slugs and slug not in self.claimed


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _rows_where_in(db: Database, sql: str, column: str, values: Iterable[Any]) -> list[tuple[Any, ...]]:
    """``sql`` (ending in WHERE) for every value, a chunk of values a query."""
    unique = list(dict.fromkeys(values))
    found: list[tuple[Any, ...]] = []
    for chunk in _chunks(unique):
        condition, params = db.in_list(column, chunk)
        found += db.rows(f"{sql} {condition}", params)
    return found


# ---------------------------------------------------------------- looking up, once a batch


def terms_of(record: ArticleInput) -> Iterator[tuple[str, str]]:
    """(kind, name) of every section, tag and author the record names."""
    if record.get("section"):
        yield "section", str(record["section"])
    for kind, name in (("tag", "tags"), ("author", "authors")):
        for value in record.get(name) or ():
            yield kind, str(value)


def look_up(session: Session, records: Sequence[ArticleInput]) -> Taken:
    """What the database holds of the records' external ids and slugs: enough to tell the records
    imported before from the new ones (``match``)."""
    db = Database.of_session(session)
    taken = Taken()
    external = [str(r["external_id"]) for r in records if r.get("external_id")]
    sql = "SELECT id, external_id FROM article WHERE"
    taken.external_ids = {str(ext): int(id_) for id_, ext in _rows_where_in(db, sql, "external_id", external)}
    _learn_slugs(db, taken, [str(r["slug"]) for r in records if r.get("slug")], old=False)
    return taken


def look_up_new(session: Session, taken: Taken, records: Sequence[ArticleInput], slugs: Iterable[str]) -> None:
    """Before new records are planned: which of ``slugs`` (the ones they would get, their old
    addresses) the database holds as slugs or old slugs, and which of their terms it holds."""
    db = Database.of_session(session)
    _learn_slugs(db, taken, list(slugs), old=True)
    names: dict[str, set[str]] = {kind: set() for kind in TERM_KINDS}
    for record in records:
        for kind, name in terms_of(record):
            try:
                names[kind].add(cached_term(kind, name)[0])
            except InvalidInput:
                continue  # the record is refused when it is planned
    for kind, model in TERM_KINDS.items():
        sql = f"SELECT id, slug FROM {model.__tablename__} WHERE"
        found = _rows_where_in(db, sql, "slug", names[kind] - taken.terms[kind].keys())
        taken.terms[kind].update({str(slug): int(id_) for id_, slug in found})


def _learn_slugs(db: Database, taken: Taken, slugs: list[str], *, old: bool) -> None:
    sql = "SELECT id, external_id, title, slug FROM article WHERE"
    for id_, ext, title, slug in _rows_where_in(db, sql, "slug", slugs):
        taken.slugs[str(slug)] = (int(id_), ext, str(title))
    if old:
        found = _rows_where_in(db, "SELECT slug FROM article_slug WHERE", "slug", slugs)
        taken.old_slugs.update(str(row[0]) for row in found)


def _folded(title: str) -> str:
    return " ".join(title.split()).casefold()


def match(taken: Taken, record: ArticleInput) -> int | None:
    """``import_records.find_existing`` answered from the look-up: the id of the article the record was
    imported as, None when it is new, or UNSURE when something written since may be it."""
    external_id = record.get("external_id")
    if external_id:
        if external_id in taken.external_ids:
            return taken.external_ids[external_id]
        if external_id in taken.claimed:
            return UNSURE
    slug = record.get("slug")
    if not slug:
        return None
    if slug in taken.claimed:
        return UNSURE
    candidate = taken.slugs.get(slug)
    if candidate is None or candidate[1] not in (None, external_id):
        return None
    if external_id and _folded(candidate[2]) != _folded(str(record.get("title") or "")):
        return None
    return candidate[0]


# ---------------------------------------------------------------- planning one record


def is_plain(record: ArticleInput) -> bool:
    """No library photo, notices or related coverage: what ``plan`` handles."""
    return not (record.get("photo") or record.get("corrections") or record.get("coverage"))


def _terms(kind: str, names: Iterable[str]) -> list[Term]:
    """Each term once (by slug), in order, as ``articles._set_tags`` links them."""
    found: dict[str, str] = {}
    for name in names:
        slug, checked = cached_term(kind, str(name))
        found.setdefault(slug, checked)
    return list(found.items())


@dataclass(frozen=True)
class Terms:
    """The section, tags and authors of a record, checked: what ``plan`` links it to."""

    section: Term | None
    tags: list[Term]
    authors: list[Term]


def terms(record: ArticleInput) -> Terms:
    """The record's terms checked as ``articles.create`` checks them, in the same order (no
    database: an import works them out while the previous batch is written). Raises
    InvalidInput."""
    section = cached_term("section", str(record["section"])) if record.get("section") else None
    tag_names = list(record.get("tags") or ())
    check_value("tags", tag_names)
    tags = _terms("tag", tag_names)
    author_names = list(record.get("authors") or ())
    check_value("authors", author_names)
    return Terms(section, tags, _terms("author", author_names))


def plan(record: ArticleInput, values: dict[str, Any], base: str, checked: Terms, taken: Taken) -> Planned | None:
    """A new, plain record (``values`` and ``base`` from ``articles.creation_values``, ``checked``
    from ``terms``) made ready to write; None when its slug or an old address is not plainly free
    (``articles.create`` probes for a free one then)."""
    if not taken.is_free(base):
        return None
    aliases = []
    for alias in record.get("aliases") or ():
        if alias == base:
            continue  # the article's own slug: nothing to keep
        if not taken.is_free(alias):
            return None
        aliases.append(alias)
    return Planned(record, values, base, checked.section, checked.tags, checked.authors, aliases)


# ---------------------------------------------------------------- writing a group


_DEFAULTS: dict[str, Any] = {
    column.name: column.default.arg if column.default is not None and column.default.is_scalar else None
    for column in Article.__table__.columns  # type: ignore[attr-defined]
    if column.name != "id"
}


def write(session: Session, group: Sequence[Planned], taken: Taken) -> dict[str, dict[str, int]]:
    """Insert the group's articles with their links and old addresses; returns the ids of the
    terms it created, by kind (``Taken.terms`` learns them once the group is kept)."""
    db = Database.of_session(session)
    created: dict[str, dict[str, int]] = {}
    ids: dict[str, dict[str, int]] = {}
    for kind in TERM_KINDS:
        wanted: dict[str, str] = {}
        for planned in group:
            for slug, name in _group_terms(planned, kind):
                wanted.setdefault(slug, name)
        created[kind] = _create_terms(session, db, kind, wanted, taken.terms[kind])
        ids[kind] = {**taken.terms[kind], **created[kind]}
    rows = []
    for planned in group:
        row = {**_DEFAULTS, **planned.values, "slug": planned.slug, "image_id": None}
        row["section_id"] = ids["section"][planned.section[0]] if planned.section else None
        rows.append(row)
    insert_rows(session, Article, rows)
    sql = "SELECT slug, id FROM article WHERE"
    article_ids = {str(slug): int(id_) for slug, id_ in _rows_where_in(db, sql, "slug", [p.slug for p in group])}
    tag_rows, author_rows, alias_rows = [], [], []
    for planned in group:
        article_id = article_ids[planned.slug]
        tag_rows += [{"article_id": article_id, "tag_id": ids["tag"][slug]} for slug, _name in planned.tags]
        author_rows += [
            {"article_id": article_id, "author_id": ids["author"][slug], "position": position}
            for position, (slug, _name) in enumerate(planned.authors)
        ]
        alias_rows += [{"article_id": article_id, "slug": alias} for alias in planned.aliases]
    for model, link_rows in ((ArticleTag, tag_rows), (ArticleAuthor, author_rows), (ArticleSlug, alias_rows)):
        insert_rows(session, model, link_rows)
    return created


ROWS_A_STATEMENT = 256  # at most, on SQLite (statement_sizes)


def insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """``rows`` (each with the same keys) inserted, each value made ready by its column's type
    (SQLAlchemy's own conversion). On SQLite by multi-row INSERT statements, as many rows a
    statement as the driver takes: few large statements, so the database works long stretches
    without the interpreter (the next batch is read meanwhile) and FTS5 indexes a statement's
    rows at once. On PostgreSQL by one statement whose parameters are a column each, as arrays
    (``unnest``): psycopg finds a statement's placeholders in Python, which for a multi-row
    statement of 35,000 of them took seconds a 10,000 articles."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = [model.__table__.c[name] for name in rows[0]]
    convert = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    one_row = "(" + ", ".join([mark] * len(columns)) + ")"
    head = f"INSERT INTO {model.__tablename__} ({', '.join(column.name for column in columns)}) VALUES "
    names = [column.name for column in columns]

    def values(chunk: Sequence[dict[str, Any]]) -> Iterator[list[Any]]:
        for row in chunk:
            given = [row[name] for name in names]
            yield [value if fix is None else fix(value) for value, fix in zip(given, convert, strict=True)]

    if dialect.name != "sqlite":
        # Arrays of the columns' types less their sizes: an explicit cast to varchar(n) would cut
        # a value, the insert's own conversion refuses one too long.
        arrays = ", ".join(
            f"%b::{re.sub(r'[(][0-9, ]+[)]', '', column.type.compile(dialect=dialect))}[]" for column in columns
        )
        given = list(zip(*values(rows), strict=True))
        connection.exec_driver_sql(
            f"{head.removesuffix(' VALUES ')} SELECT * FROM unnest({arrays})", tuple(list(column) for column in given)
        )
        return

    driver: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]
    most = max(min(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns), ROWS_A_STATEMENT), 1)
    start = 0
    for size in statement_sizes(len(rows), most):
        params = tuple(value for row in values(rows[start : start + size]) for value in row)
        connection.exec_driver_sql(head + ", ".join([one_row] * size), params)
        start += size


def statement_sizes(count: int, most: int) -> Iterator[int]:
    """Rows a statement, adding up to ``count``: ``most`` while they last, then powers of two.

    The driver keeps the statements it has prepared, and a multi-row statement is large once
    prepared: with one of its own length for every batch, an import's memory would grow with its
    length. A few lengths are prepared once and reused."""
    while count >= most:
        yield most
        count -= most
    bit = 1 << count.bit_length()
    while count:
        bit >>= 1
        if count & bit:
            yield bit
            count -= bit


def _group_terms(planned: Planned, kind: str) -> list[Term]:
    if kind == "section":
        return [planned.section] if planned.section else []
    return planned.tags if kind == "tag" else planned.authors


def _create_terms(
    session: Session, db: Database, kind: str, wanted: dict[str, str], known: dict[str, int]
) -> dict[str, int]:
    """Insert the terms not in the database yet (one written meanwhile by another is left as it
    is) and return the ids of all of them."""
    missing = {slug: name for slug, name in wanted.items() if slug not in known}
    if not missing:
        return {}
    model = TERM_KINDS[kind]
    dialect_insert = sqlite.insert if db.is_sqlite else postgresql.insert
    statement = dialect_insert(model).on_conflict_do_nothing(index_elements=["slug"])
    session.execute(statement, [{"name": name, "slug": slug} for slug, name in missing.items()])
    sql = f"SELECT id, slug FROM {model.__tablename__} WHERE"
    return {str(slug): int(id_) for id_, slug in _rows_where_in(db, sql, "slug", list(missing))}
