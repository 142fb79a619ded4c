"""The test databases: a SQLite file, or a schema of its own on the PostgreSQL server that
BALITA_TEST_DATABASE_URL names (dropped, with the roles made in it, when the test ends)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from balita_cli.db.engine import create_db_engine
from balita_cli.db.urls import normalise_url
from balita_cli.services.users import group_roles

TEST_DATABASE_ENV = "BALITA_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(TEST_DATABASE_ENV) or None


def on_postgres() -> bool:
    return postgres_url() is not None


def engine_of(url: str) -> Engine:
    """balita's own engine for a test database (relative SQLite paths from the current folder)."""
    return create_db_engine(normalise_url(url, Path.cwd()))


def postgres_schema_url(base: str) -> Generator[str, None, None]:
    """A URL whose search path is a new schema on ``base``'s server; the schema is dropped when
    the generator is closed or run to its end."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base, Path.cwd()))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            groups = group_roles(connection, schema)  # roles are the server's: dropped with the schema by hand
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            for group in groups:
                connection.execute(text(f'DROP ROLE IF EXISTS "{group}"'))
        admin.dispose()


def fresh_database(folder: Path, name: str = "balita") -> Generator[str, None, None]:
    """An empty database: ``folder/<name>.db``, or a schema of its own on the PostgreSQL under
    test. Close the generator (or run it out) to drop the schema."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{folder / f'{name}.db'}"
    else:
        yield from postgres_schema_url(base)


def store_raw(db_url: str, article_id: int, **columns: Any) -> None:
    """Write article columns straight into the database, past every check balita makes on input:
    how data from an older version or another client looks, for tests of the outputs' defences."""
    engine = engine_of(db_url)
    try:
        with engine.begin() as connection:
            assignments = ", ".join(f"{name} = :{name}" for name in columns)
            past_checks(connection, [f"UPDATE article SET {assignments} WHERE id = :id"], {**columns, "id": article_id})
    finally:
        engine.dispose()


# The CHECK constraints rows written before migration 0020 may break, by table.
CHECKED = {
    "article": ("ck_article_status", "ck_article_slug", "ck_article_language"),
    "article_slug": ("ck_article_slug_slug",),
    "tag": ("ck_tag_slug",),
}


def past_checks(connection: Connection, statements: list[str], params: dict[str, Any] | None = None) -> None:
    """Run ``statements`` (each with ``params``) past the CHECK constraints, as rows from before they existed:
    on SQLite with them ignored, on PostgreSQL with them set aside and given back NOT VALID (what
    an upgrade over such rows leaves)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA ignore_check_constraints = ON"))
        for statement in statements:
            connection.execute(text(statement), params or {})
        connection.execute(text("PRAGMA ignore_check_constraints = OFF"))
        return
    find = text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name "
        "AND connamespace = current_schema()::regnamespace"
    )
    rules = {(t, n): connection.execute(find, {"name": n}).scalar_one() for t, ns in CHECKED.items() for n in ns}
    for table, name in rules:
        connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
    for statement in statements:
        connection.execute(text(statement), params or {})
    for (table, name), rule in rules.items():
        connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {rule} NOT VALID"))


def check_constraint_count() -> int:
    """How many named CHECK constraints the models declare (what ``db check`` looks for)."""
    from sqlalchemy import CheckConstraint
    from sqlmodel import SQLModel

    import balita_cli.models  # noqa: F401  (the tables, registered on SQLModel's metadata)

    return sum(
        isinstance(constraint, CheckConstraint) and isinstance(constraint.name, str)
        for table in SQLModel.metadata.sorted_tables
        for constraint in table.constraints
    )
