"""PostgreSQL: lz4 for the long text columns (an article's body, a revision's snapshot)

PostgreSQL compresses a long value when it stores it and inflates it on every read; lz4 costs a
fraction of the default pglz either way. It needs PostgreSQL 14 or later built with lz4
(Debian's, the PGDG packages and the official images are): elsewhere this changes nothing.
Values already stored keep their method until written again. Nothing to do on SQLite.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LONG_TEXT = (("article", "body"), ("revision", "snapshot"))


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    # No row before PostgreSQL 14 (no such setting); lz4 is among its values when the server has it.
    supported = bind.execute(
        text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return bool(supported)


def upgrade() -> None:
    if _lz4_available():
        for table, column in LONG_TEXT:  # the catalogue alone changes: no row is rewritten
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        for table, column in LONG_TEXT:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default")
