"""the database holds the line whoever writes: CHECK constraints on every enumerated column and on
slugs, and the workflow's transition table as a trigger on ``article``

The constraints are the models' (``models.py``: status, notice kind, source policy, language,
the slugs of stories, terms and sources, old addresses); the trigger is ``db/transitions.py``'s,
made from ``workflow.TRANSITIONS``. On SQLite the tables are copied to take their constraints
(the copy of ``article`` keeps its full-text and outbox triggers). On PostgreSQL a constraint some
existing row breaks is added NOT VALID: new rows are checked, and `balita db check` names it until
the rows are fixed and it is validated.

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-08"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlmodel import SQLModel

import balita_cli.models  # noqa: F401  (the tables and their constraints)
from balita_cli.db import fulltext, outbox, transitions

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None

CHECKS = {
    "article": ("ck_article_status", "ck_article_slug", "ck_article_language"),
    "article_slug": ("ck_article_slug_slug",),
    "correction": ("ck_correction_kind",),
    "source": ("ck_source_slug", "ck_source_publish"),
    "tag": ("ck_tag_slug",),
    "section": ("ck_section_slug",),
    "author": ("ck_author_slug",),
}


def _rule(table: str, name: str) -> str:
    for constraint in SQLModel.metadata.tables[table].constraints:
        if isinstance(constraint, sa.CheckConstraint) and constraint.name == name:
            return str(constraint.sqltext)
    raise LookupError(f"{table} has no constraint {name} in the models")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_upgrade(bind)
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for table, names in CHECKS.items():
        for name in names:
            bind.execute(sa.text(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({_rule(table, name)}) NOT VALID"))
            try:
                with bind.begin_nested():
                    bind.execute(sa.text(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}"))
            except sa.exc.IntegrityError:
                pass  # an older row breaks it: new rows are checked, `db check` names it
    for statement in transitions.statements("postgresql", _here(schema)):
        bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    for statement in transitions.drop_statements(bind.dialect.name):
        bind.execute(sa.text(statement))
    if bind.dialect.name == "sqlite":
        _sqlite_copies(bind, add=False)
        return
    for table, names in CHECKS.items():
        for name in names:
            bind.execute(sa.text(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"))


def _sqlite_upgrade(bind: sa.engine.Connection) -> None:
    _sqlite_copies(bind, add=True)
    for statement in transitions.statements("sqlite"):
        bind.execute(sa.text(statement))


def _sqlite_copies(bind: sa.engine.Connection, *, add: bool) -> None:
    """Copy each table with (or without) its constraints; the triggers of the outbox go with the
    copied tables, so they are dropped first and made again."""
    for statement in outbox.drop_statements("sqlite"):
        bind.execute(sa.text(statement))
    for table, names in CHECKS.items():
        if table == "article":
            links = tuple(
                sa.Column(column, sa.Integer, sa.ForeignKey(f"{parent}.id", ondelete="SET NULL"))
                for column, parent in (("image_id", "photo"), ("source_id", "source"))
            )
            with (
                fulltext.sqlite_article_copied(bind),
                op.batch_alter_table(
                    "article", recreate="always", reflect_args=links, table_kwargs={"sqlite_autoincrement": True}
                ) as batch,
            ):
                _change(batch, table, names, add=add)
        else:
            with op.batch_alter_table(table, recreate="always") as batch:
                _change(batch, table, names, add=add)
    for statement in outbox.statements("sqlite"):
        bind.execute(sa.text(statement))


def _change(batch: BatchOperations, table: str, names: tuple[str, ...], *, add: bool) -> None:
    for name in names:
        if add:
            batch.create_check_constraint(name, _rule(table, name))
        else:
            batch.drop_constraint(name, type_="check")


def _here(schema: str) -> str:
    quoted = '"' + schema.replace('"', '""') + '"'
    return f"SET search_path = {quoted}, pg_catalog, pg_temp"  # never a temporary table of the caller's
