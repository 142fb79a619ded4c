"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from balita_cli.db.fulltext import create_fulltext, drop_fulltext
from balita_cli.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.Column("email", AutoString(length=320), nullable=False),
        sa.Column("bio", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.Column("description", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.Column("title", AutoString(), nullable=False),
        sa.Column("subtitle", AutoString(), nullable=False),
        sa.Column("summary", AutoString(), nullable=False),
        sa.Column("body", AutoString(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("language", AutoString(length=35), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "review",
                "scheduled",
                "published",
                "archived",
                "retracted",
                name="status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("source_name", AutoString(length=200), nullable=False),
        sa.Column("source_url", AutoString(), nullable=False),
        sa.Column("canonical_url", AutoString(), nullable=False),
        sa.Column("image_url", AutoString(), nullable=False),
        sa.Column("image_alt", AutoString(), nullable=False),
        sa.Column("image_caption", AutoString(), nullable=False),
        sa.Column("image_credit", AutoString(), nullable=False),
        sa.Column("dateline", AutoString(length=200), nullable=False),
        sa.Column("editor_note", AutoString(), nullable=False),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("external_id", AutoString(length=500), nullable=True),
        sa.Column("retraction_reason", AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_language"), ["language"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_scheduled_at"), ["scheduled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_source_name"), ["source_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_status"), ["status"], unique=False)
        batch_op.create_index("ix_article_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_article_status_published", ["status", "published_at"], unique=False)
        batch_op.create_index("ix_article_status_updated", ["status", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "article_author",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["author.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "author_id"),
    )
    with op.batch_alter_table("article_author", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_author_author_id"), ["author_id"], unique=False)

    op.create_table(
        "article_slug",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("article_slug", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_slug_article_id"), ["article_id"], unique=False)

    op.create_table(
        "article_tag",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "tag_id"),
    )
    with op.batch_alter_table("article_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_tag_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", AutoString(length=20), nullable=False),
        sa.Column("text", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_article_id"), ["article_id"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", AutoString(length=200), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.Column("snapshot", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "version"),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_article_id"), ["article_id"], unique=False)

    create_fulltext(op.get_bind(), version=2)


def downgrade() -> None:
    drop_fulltext(op.get_bind(), version=2)
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_article_id"))

    op.drop_table("revision")
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_article_id"))

    op.drop_table("correction")
    with op.batch_alter_table("article_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_tag_tag_id"))

    op.drop_table("article_tag")
    with op.batch_alter_table("article_slug", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_slug_article_id"))

    op.drop_table("article_slug")
    with op.batch_alter_table("article_author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_author_author_id"))

    op.drop_table("article_author")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_updated_at"))
        batch_op.drop_index("ix_article_status_updated")
        batch_op.drop_index("ix_article_status_published")
        batch_op.drop_index("ix_article_status_created")
        batch_op.drop_index(batch_op.f("ix_article_status"))
        batch_op.drop_index(batch_op.f("ix_article_source_name"))
        batch_op.drop_index(batch_op.f("ix_article_section_id"))
        batch_op.drop_index(batch_op.f("ix_article_scheduled_at"))
        batch_op.drop_index(batch_op.f("ix_article_published_at"))
        batch_op.drop_index(batch_op.f("ix_article_language"))
        batch_op.drop_index(batch_op.f("ix_article_expires_at"))
        batch_op.drop_index(batch_op.f("ix_article_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_article_created_at"))

    op.drop_table("article")
    op.drop_table("tag")
    op.drop_table("section")
    op.drop_table("author")
