"""article.created_by: who created the article, kept when later editors change it

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from balita_cli.db.fulltext import create_fulltext, drop_fulltext, rebuild_sqlite_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

article = sa.table(
    "article",
    sa.column("id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("updated_by", sa.String),
    sa.column("created_by", sa.String),
)
revision_table = sa.table(
    "revision", sa.column("article_id", sa.Integer), sa.column("version", sa.Integer), sa.column("snapshot", sa.String)
)


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it): a batch copy of the table would drop the
    # full-text triggers that live on it.
    op.add_column("article", sa.Column("created_by", AutoString(length=200), nullable=False, server_default=""))
    backfill(op.get_bind())


def backfill(connection: sa.engine.Connection) -> None:
    """Articles never edited were created by their last editor; for the others, the creator is
    the last editor of version 1, which version 2's revision snapshot recorded (when it did)."""
    connection.execute(sa.update(article).where(article.c.version == 1).values(created_by=article.c.updated_by))
    seconds = connection.execute(
        sa.select(revision_table.c.article_id, revision_table.c.snapshot).where(revision_table.c.version == 2)
    )
    for article_id, snapshot in seconds:
        creator = json.loads(snapshot or "{}").get("updated_by")
        if creator:
            connection.execute(sa.update(article).where(article.c.id == article_id).values(created_by=creator))


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("created_by")
    # On SQLite the batch copy of the table took its triggers with it: put the index back.
    bind = op.get_bind()
    drop_fulltext(bind, version=2)
    create_fulltext(bind, version=2)
    if bind.dialect.name == "sqlite":
        rebuild_sqlite_index(bind)
