"""Schema upgrades, only through Alembic, applied on first use and by ``balita db upgrade``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balita_cli.db import dbapi
from balita_cli.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"


def known_revisions() -> list[str]:
    """Revision ids are the numeric prefix of each file in versions/, so no Alembic import is needed."""
    return sorted(path.name.split("_", 1)[0] for path in VERSIONS_DIR.glob("[0-9]*_*.py"))


def head_revision() -> str:
    return known_revisions()[-1]


def schema_is_current(url: str) -> bool:
    """Whether the database is at the head revision, asked without SQLAlchemy or Alembic: the
    check every read command makes before its first query."""
    try:
        with dbapi.reading(url) as database:
            table = (
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                if database.is_sqlite
                else "SELECT count(*) FROM information_schema.tables WHERE table_name = 'alembic_version' "
                "AND table_schema = current_schema()"
            )
            if not database.scalar(table):
                return False
            return bool(database.scalar("SELECT version_num FROM alembic_version") == head_revision())
    except DatabaseError:
        return False


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text  # here: Alembic and the ORM only when the schema is behind

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config  # here: Alembic and the ORM only when the schema is behind

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command  # here: Alembic and the ORM only when the schema is behind

    with _migration_transaction(engine) as connection:
        _serialise_migrations(connection)
        command.upgrade(_alembic_config(connection), target)


@contextmanager
def _migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction for a migration run.

    On SQLite, foreign keys are switched off around it: Alembic's batch mode copies a table and
    drops the original, and with foreign keys on that DROP would cascade-delete every row that
    refers to it (tags, revisions, corrections). They are checked before the commit instead.
    """
    from sqlalchemy import text  # here: Alembic and the ORM only when the schema is behind

    from balita_cli.db.engine import WRITE_OPTION

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver: Any = connection.connection.dbapi_connection
        if sqlite:  # outside any transaction, where SQLite honours it
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.execution_options(**{WRITE_OPTION: True}).begin():
                yield connection
                if sqlite and connection.execute(text("PRAGMA foreign_key_check")).first() is not None:
                    raise DatabaseError("the migration would leave rows pointing at nothing; nothing was changed")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")


# Any fixed number: every balita process migrating the same PostgreSQL database takes this lock.
MIGRATION_LOCK_KEY = 0x62616C697461


def _serialise_migrations(connection: Connection) -> None:
    """Two processes opening a new database at once must not both create its tables.

    SQLite's BEGIN IMMEDIATE already takes the write lock before Alembic reads the revision;
    on PostgreSQL a transaction-scoped advisory lock does the same.
    """
    from sqlalchemy import text  # here: Alembic and the ORM only when the schema is behind

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def read_revision(engine: Engine) -> str | None:
    from sqlalchemy.exc import SQLAlchemyError  # here: Alembic and the ORM only when the schema is behind

    from balita_cli.db.engine import connection_error

    try:
        with engine.connect() as connection:
            return current_revision(connection)
    except SQLAlchemyError as exc:
        raise connection_error(engine, exc) from None


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the head revision; refuse one made by a newer balita."""
    revision = read_revision(engine)
    if revision == head_revision():
        return
    if revision is not None and revision not in known_revisions():
        raise DatabaseError(
            f"the database is at schema revision {revision}, newer than this balita knows "
            f"(up to {head_revision()}); upgrade balita to open it"
        )
    from sqlalchemy.exc import SQLAlchemyError  # here: Alembic and the ORM only when the schema is behind

    from balita_cli.db.engine import connection_error

    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        raise connection_error(engine, exc) from None


def downgrade(engine: Engine, target: str = "base") -> None:
    """Step the schema back (for tests and recovery); data in dropped tables is lost."""
    from alembic import command  # here: Alembic and the ORM only when the schema is behind

    with _migration_transaction(engine) as connection:
        command.downgrade(_alembic_config(connection), target)
