"""Backups, restores and health checks of the database.

SQLite backups use the online backup API in one step: one read transaction copies every page,
so the copy is a consistent point in time while others keep writing (WAL readers never block
writers). PostgreSQL backups use ``pg_dump`` when it is installed, else a JSONL export of every
article record. Every file appears complete under its name or not at all.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import balita_cli.models  # noqa: F401  (the tables and their constraints, which `db check` looks for)
from balita_cli.db import dbapi
from balita_cli.db.engine import WRITE_OPTION, connection_error, is_sqlite
from balita_cli.db.fulltext import search_state
from balita_cli.db.migrate import current_revision, head_revision, known_revisions
from balita_cli.errors import DatabaseError, InvalidInput
from balita_cli.files import make_directory
from balita_cli.formats.streaming import json_line
from balita_cli.services.query import ArticleFilter, Window
from balita_cli.services.reading import stream_records
from balita_cli.timeutil import utcnow

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
PG_CUSTOM_MAGIC = b"PGDMP"
BUSY_TIMEOUT_S = 30.0
# (table, column, parent table): rows that must point at an existing parent.
LINKS = (
    ("article_tag", "article_id", "article"),
    ("article_tag", "tag_id", "tag"),
    ("article_author", "article_id", "article"),
    ("article_author", "author_id", "author"),
    ("article_slug", "article_id", "article"),
    ("revision", "article_id", "article"),
    ("correction", "article_id", "article"),
    ("article", "section_id", "section"),
)
REQUIRED_TABLES = ("article", "alembic_version", "revision")


@dataclass(frozen=True)
class Finding:
    """One health check: its name, whether it passed, and what was seen."""

    name: str
    ok: bool
    detail: str = ""

    def record(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    method: str  # "sqlite-backup", "pg_dump" or "jsonl"


# ---------------------------------------------------------------- files


@contextmanager
def _temporary_sibling(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target``, renamed over it only when the block succeeds.

    Like ``files.atomic_open``, but for tools (sqlite3, pg_dump) that want a path, not a stream.
    """
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory: give a file name for the backup")
    make_directory(target.parent)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise DatabaseError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(handle)
    os.chmod(name, 0o600)  # a copy of the database is as private as the database
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        raise DatabaseError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        for leftover in (temporary, *(temporary.with_name(temporary.name + end) for end in SQLITE_SIDE_FILES)):
            leftover.unlink(missing_ok=True)


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise DatabaseError(f"cannot back up or restore the SQLite database {database!r}")
    return Path(database).expanduser().resolve()


# ---------------------------------------------------------------- backup


def backup(engine: Engine, target: Path) -> BackupResult:
    if is_sqlite(engine):
        backup_sqlite(sqlite_path(engine), target)
        return BackupResult(target, "sqlite-backup")
    if shutil.which("pg_dump"):
        pg_dump(engine.url, target)
        return BackupResult(target, "pg_dump")
    export_jsonl(engine, target)
    return BackupResult(target, "jsonl")


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent online copy, made a single self-contained file and checked before it is kept."""
    if not source.exists():
        raise DatabaseError(f"no database at {source}")
    if target.resolve() == source:
        raise InvalidInput("the backup path is the database itself")
    with _temporary_sibling(target) as temporary:
        with (
            closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)) as live,
            closing(sqlite3.connect(temporary)) as copy,
        ):
            live.backup(copy, pages=-1)  # one step = one read transaction = one point in time
            copy.execute("PRAGMA journal_mode = DELETE")  # no -wal file to carry along
            problems = sqlite_integrity(copy)
        if problems:
            raise DatabaseError(f"the backup copy failed its integrity check: {problems[0]}")


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A URL libpq programs understand, and the environment carrying the password."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def search_path_schema(url: URL) -> str | None:
    """The schema named by ``options=-csearch_path=…`` in the URL, if any."""
    options = url.query.get("options")
    values = [options] if isinstance(options, str) else list(options or ())
    for value in values:
        for part in unquote(value).split():
            if part.startswith("-csearch_path="):
                return part.split("=", 1)[1].split(",")[0].strip('"')
    return None


def pg_dump(url: URL, target: Path) -> None:
    address, env = libpq_url(url)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--dbname={address}"]
    schema = search_path_schema(url)
    if schema:
        command.append(f"--schema={schema}")
    with _temporary_sibling(target) as temporary:
        _run_tool([*command, f"--file={temporary}"], env)


def _run_tool(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise DatabaseError(f"cannot run {command[0]}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise DatabaseError(f"{command[0]} failed: {lines[-1] if lines else f'exit {done.returncode}'}")


def export_jsonl(engine: Engine, target: Path, base_url: str = "") -> None:
    """Every article, trash included, as the records every machine format is built from; as
    private as the database (mode 0600), like every backup."""
    url = engine.url.render_as_string(hide_password=False)
    with dbapi.reading(url) as db, _temporary_sibling(target) as temporary:
        with open(temporary, "w", encoding="utf-8") as stream:
            for in_trash in (False, True):
                for record in stream_records(db, ArticleFilter(trash=in_trash), base_url, Window(sort="id")):
                    stream.write(json_line(record))


# ---------------------------------------------------------------- restore


def restore(engine: Engine, source: Path, *, keep_previous: bool = True) -> Path | None:
    """Replace the database's content with a backup; returns where the old SQLite file was kept."""
    if not source.is_file():
        raise InvalidInput(f"no backup file at {source}")
    if is_sqlite(engine):
        return restore_sqlite(source, sqlite_path(engine), keep_previous=keep_previous)
    restore_postgres(engine.url, source)
    return None


def check_sqlite_backup(source: Path) -> None:
    """Refuse anything that is not a healthy balita database this version can open."""
    with open(source, "rb") as stream:
        if stream.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise InvalidInput(f"{source} is not a SQLite database")
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as copy:
            if problems := sqlite_integrity(copy):
                raise InvalidInput(f"{source} is damaged: {problems[0]}")
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if missing := [name for name in REQUIRED_TABLES if name not in tables]:
                raise InvalidInput(f"{source} is not a balita database (no {', '.join(missing)} table)")
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{source} cannot be read as a database: {exc}") from None
    if revision is None or revision[0] not in known_revisions():
        raise InvalidInput(f"{source} has schema revision {revision and revision[0]}, unknown to this balita")


def restore_sqlite(source: Path, live: Path, *, keep_previous: bool = True) -> Path | None:
    """Copy the backup into the live database through SQLite itself.

    The backup API writes the destination in one write transaction, so other processes see
    the old database or the restored one, never a mix, and the live -wal file stays coherent
    (replacing the file underneath it would pair the old WAL with the new pages).
    """
    check_sqlite_backup(source)
    if source.resolve() == live:
        raise InvalidInput("the backup file is the database itself")
    previous = None
    if keep_previous and live.exists():
        previous = kept_copy_path(live)
        backup_sqlite(live, previous)
    with (
        closing(sqlite3.connect(source)) as backup_db,
        closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT_S)) as target,
    ):
        backup_db.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode = WAL")
    return previous


def kept_copy_path(live: Path) -> Path:
    """Where a restore keeps the database it replaces: one copy per restore, by time, never
    overwriting an earlier one (a second restore must not destroy the only original)."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    candidate = live.with_name(f"{live.name}.before-restore-{stamp}")
    number = 2
    while candidate.exists():
        candidate = live.with_name(f"{live.name}.before-restore-{stamp}-{number}")
        number += 1
    return candidate


def restore_postgres(url: URL, source: Path) -> None:
    with open(source, "rb") as stream:
        head = stream.read(len(PG_CUSTOM_MAGIC))
    address, env = libpq_url(url)
    if head == PG_CUSTOM_MAGIC:
        if not shutil.which("pg_restore"):
            raise DatabaseError("pg_restore is not installed; it is needed to restore this backup")
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={address}",
            str(source),
        ]
    elif source.suffix == ".sql":
        if not shutil.which("psql"):
            raise DatabaseError("psql is not installed; it is needed to restore this backup")
        command = [
            "psql",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={address}",
            f"--file={source}",
        ]
    else:
        raise InvalidInput(f"{source} is not a pg_dump backup; a JSONL export is restored with an import instead")
    _run_tool(command, env)


# ---------------------------------------------------------------- health


def sqlite_integrity(connection: sqlite3.Connection) -> list[str]:
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def check(engine: Engine) -> list[Finding]:
    """Every health check; the database is healthy when all of them pass."""
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
            findings = _checks(connection)
            connection.rollback()  # the FTS check is an INSERT that must leave nothing behind
            return findings
    except SQLAlchemyError as exc:
        raise connection_error(engine, exc) from None


def _checks(connection: Connection) -> list[Finding]:
    revision = current_revision(connection)
    schema = Finding(
        "schema",
        revision == head_revision(),
        f"revision {revision or 'none'}, head {head_revision()}",
    )
    if revision is None:
        return [schema]
    findings = [schema]
    if connection.dialect.name == "sqlite":
        findings += [_sqlite_integrity(connection), _sqlite_foreign_keys(connection)]
    else:
        findings.append(_pg_constraints(connection))
    findings += [_check_constraints(connection), _orphans(connection), _versions(connection), _fulltext(connection)]
    return findings


def _scalar_list(connection: Connection, sql: str) -> list[str]:
    return [str(row[0]) for row in connection.execute(text(sql))]


def _sqlite_integrity(connection: Connection) -> Finding:
    rows = _scalar_list(connection, "PRAGMA integrity_check")
    return Finding("integrity", rows == ["ok"], "; ".join(rows[:5]))


def _sqlite_foreign_keys(connection: Connection) -> Finding:
    rows = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    detail = "; ".join(f"{row[0]} row {row[1]} → missing {row[2]}" for row in rows[:5])
    return Finding("foreign keys", not rows, detail or "ok")


def _pg_constraints(connection: Connection) -> Finding:
    rows = _scalar_list(
        connection,
        "SELECT conname FROM pg_constraint WHERE NOT convalidated AND connamespace = current_schema()::regnamespace",
    )
    return Finding("constraints", not rows, ", ".join(rows) or "all validated")


def _check_constraints(connection: Connection) -> Finding:
    """Every CHECK constraint of the models (enumerated columns, slugs) is in the database."""
    inspector = inspect(connection)
    expected = {
        (table.name, constraint.name)
        for table in SQLModel.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint) and isinstance(constraint.name, str)
    }
    present = {
        (table, check["name"]) for table in {t for t, _ in expected} for check in inspector.get_check_constraints(table)
    }
    missing = sorted(f"{name} on {table}" for table, name in expected - present)
    detail = f"missing: {', '.join(missing)}" if missing else f"{len(expected)} in place"
    return Finding("check constraints", not missing, detail)


def _orphans(connection: Connection) -> Finding:
    problems = []
    for table, column, parent in LINKS:
        count = connection.execute(
            text(
                f"SELECT count(*) FROM {table} AS child WHERE child.{column} IS NOT NULL "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE p.id = child.{column})"
            )
        ).scalar_one()
        if count:
            problems.append(f"{count} {table} row(s) whose {column} has no {parent}")
    return Finding("orphan rows", not problems, "; ".join(problems) or "none")


def _versions(connection: Connection) -> Finding:
    """No revision may claim a version the article has not reached."""
    count = connection.execute(
        text(
            "SELECT count(*) FROM revision JOIN article ON article.id = revision.article_id "
            "WHERE revision.version > article.version"
        )
    ).scalar_one()
    return Finding("revisions", not count, f"{count} revision(s) ahead of their article" if count else "ok")


def _fulltext(connection: Connection) -> Finding:
    if connection.dialect.name == "sqlite":
        return _sqlite_fulltext(connection)
    valid, indexed, waiting, neither = search_state(connection)
    if not valid:
        state = "missing" if valid is None else "invalid"
        return Finding("full-text index", False, f"ix_article_search_document is {state}")
    if neither:
        return Finding("full-text index", False, f"{neither} article(s) neither indexed nor waiting for it")
    # Waiting articles are found all the same (their document made at each search); a killed import leaves some.
    later = f", {waiting} waiting (the next import indexes them)" if waiting else ""
    return Finding("full-text index", True, f"{indexed} articles indexed{later}")


def _sqlite_fulltext(connection: Connection) -> Finding:
    articles = connection.execute(text("SELECT count(*) FROM article")).scalar_one()
    indexed = connection.execute(text("SELECT count(*) FROM article_fts_docsize")).scalar_one()
    if articles != indexed:
        return Finding("full-text index", False, f"{indexed} indexed rows for {articles} articles")
    try:
        with connection.begin_nested():
            connection.execute(text("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return Finding("full-text index", False, f"out of step with the articles: {reason}")
    return Finding("full-text index", True, f"{indexed} articles indexed")


def problems(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if not finding.ok]
