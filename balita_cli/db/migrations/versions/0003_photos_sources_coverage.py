"""photos, sources, related coverage, stored word counts, accent-folding search on both databases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from balita_cli.db import fulltext
from balita_cli.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("format", AutoString(length=10), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("taken_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("original_name", AutoString(length=255), nullable=False, server_default=""),
        sa.Column("alt", AutoString(), nullable=False, server_default=""),
        sa.Column("caption", AutoString(), nullable=False, server_default=""),
        sa.Column("credit", AutoString(length=200), nullable=False, server_default=""),
        sa.Column("source_url", AutoString(), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", AutoString(length=200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.Column("url", AutoString(), nullable=False),
        sa.Column("section", AutoString(length=200), nullable=False, server_default=""),
        sa.Column("language", AutoString(length=35), nullable=False, server_default=""),
        sa.Column("tags", AutoString(), nullable=False, server_default="[]"),
        sa.Column("excerpt_words", sa.Integer(), nullable=False, server_default="120"),
        sa.Column("full_text", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("publish", AutoString(length=10), nullable=False, server_default="review"),
        sa.Column("every_minutes", sa.Integer(), nullable=False, server_default="15"),
        sa.Column("allow_private", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("etag", AutoString(), nullable=False, server_default=""),
        sa.Column("last_modified", AutoString(), nullable=False, server_default=""),
        sa.Column("last_fetch_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_new_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", AutoString(), nullable=False, server_default=""),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index("ix_source_next_due_at", "source", ["next_due_at"])
    op.create_table(
        "coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("source_name", AutoString(length=200), nullable=False),
        sa.Column("url", AutoString(), nullable=False, server_default=""),
        sa.Column("title", AutoString(), nullable=False, server_default=""),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("external_id", AutoString(length=500), nullable=False),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    op.create_index("ix_coverage_article_id", "coverage", ["article_id"])
    op.create_table(
        "setting",
        sa.Column("key", AutoString(length=100), nullable=False),
        sa.Column("value", AutoString(), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    bind = op.get_bind()
    # Plain ADD COLUMNs (SQLite supports them with a NULL default): a batch copy of the table
    # would drop the full-text triggers that live on it.
    add_link(bind, "image_id", "photo")
    op.add_column("article", sa.Column("word_count", sa.Integer(), nullable=False, server_default="0"))
    add_link(bind, "source_id", "source")
    op.create_index("ix_article_image_id", "article", ["image_id"])
    op.create_index("ix_article_source_id", "article", ["source_id"])
    count_words(bind)
    fulltext.drop_fulltext(bind, version=2)
    fulltext.create_fulltext(bind)
    if bind.dialect.name == "sqlite":
        fulltext.rebuild_sqlite_index(bind)


def add_link(connection: sa.engine.Connection, column: str, parent: str) -> None:
    """A nullable foreign key column on article. SQLite takes REFERENCES in ADD COLUMN (Alembic
    would ask for a batch copy, which drops the table's triggers); PostgreSQL a constraint."""
    if connection.dialect.name == "sqlite":
        op.execute(f"ALTER TABLE article ADD COLUMN {column} INTEGER REFERENCES {parent} (id) ON DELETE SET NULL")
        return
    op.add_column("article", sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(f"fk_article_{column}", "article", parent, [column], ["id"], ondelete="SET NULL")


def count_words(connection: sa.engine.Connection) -> None:
    """Word counts are stored when an article is written; existing articles get theirs now."""
    article = sa.table(
        "article", sa.column("id", sa.Integer), sa.column("body", sa.String), sa.column("word_count", sa.Integer)
    )
    rows = connection.execute(sa.select(article.c.id, article.c.body)).all()
    for article_id, body in rows:
        words = len(re.split(r"\s+", (body or "").strip())) if (body or "").strip() else 0
        connection.execute(sa.update(article).where(article.c.id == article_id).values(word_count=words))


def downgrade() -> None:
    bind = op.get_bind()
    fulltext.drop_fulltext(bind)
    op.drop_index("ix_article_source_id", table_name="article")
    op.drop_index("ix_article_image_id", table_name="article")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("source_id")
        batch_op.drop_column("word_count")
        batch_op.drop_column("image_id")
    op.drop_table("setting")
    op.drop_index("ix_coverage_article_id", table_name="coverage")
    op.drop_table("coverage")
    op.drop_index("ix_source_next_due_at", table_name="source")
    op.drop_table("source")
    op.drop_table("photo")
    fulltext.create_fulltext(bind, version=2)
    if bind.dialect.name == "sqlite":
        fulltext.rebuild_sqlite_index(bind)
