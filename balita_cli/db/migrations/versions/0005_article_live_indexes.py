"""Indexes on (deleted_at, published_at) and (deleted_at, updated_at): what every listing filters and sorts on

An article's small columns after its body live in the body's overflow pages on SQLite, so a list
of every live article in order of publication read each article's whole body to find its date
(export jsonl of 100,000 articles: 0.2 s of 2.9 s). With these the ids come from the index alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_article_deleted_published": ["deleted_at", "published_at"],
    "ix_article_deleted_updated": ["deleted_at", "updated_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "article", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="article")
