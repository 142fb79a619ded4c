"""the outbox: events recorded by triggers in the transaction of every change readers can see, the
destinations they go to (webhooks, partners) and each delivery's state

``event`` is written only by the triggers of ``db/outbox.py`` (on PostgreSQL by SECURITY DEFINER
functions; no role may write it); ``destination`` and ``delivery`` hold webhook secrets and
partners' addresses, so on PostgreSQL only editors and admins read or write them. On SQLite the
article table is copied once to take AUTOINCREMENT, so a story's id is never given to another. The rules of
``balita_may`` gain ``hooks`` (managing webhooks and partners: editors).

Revision ID: 0016
Revises: 0007
Create Date: 2026-12-08"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from balita_cli.db import fulltext, outbox
from balita_cli.models import UTCDateTime

revision = "0016"
down_revision = "0007"
branch_labels = None
depends_on = None

EVENT_KINDS = ("published", "updated", "corrected", "retracted", "unpublished", "archived", "deleted", "restored")
ROLES = ("contributor", "author", "editor", "admin")
# balita_may's rules: 0004's, and managing webhooks and partners. A later change is a later migration.
RULES_0004 = (
    ("create", "contributor", "contributor"),
    ("edit", "contributor", "editor"),
    ("edit_live", "author", "editor"),
    ("publish", "author", "editor"),
    ("correct", "author", "editor"),
    ("retract", "editor", "editor"),
    ("archive", "editor", "editor"),
    ("trash", "editor", "editor"),
    ("terms", "editor", "editor"),
    ("media", "editor", "editor"),
    ("sources", "editor", "editor"),
    ("settings", "editor", "editor"),
    ("purge", "admin", "admin"),
    ("history", "admin", "admin"),
    ("users", "admin", "admin"),
    ("restore", "admin", "admin"),
    ("migrate", "admin", "admin"),
)
RULES = (*RULES_0004, ("hooks", "editor", "editor"))


def _one_of(column: str, values: tuple[str, ...], table: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", AutoString(length=32), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(length=20), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.Column("title", AutoString(), nullable=False),
        sa.Column("language", AutoString(length=35), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("article_created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("notice", AutoString(), nullable=False, server_default=""),
        sa.Column("actor", AutoString(length=200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
        sa.UniqueConstraint("article_id", "seq"),
        _one_of("kind", EVENT_KINDS, "event"),
    )
    op.create_index("ix_event_at", "event", ["at"])
    op.create_table(
        "destination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(length=10), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=True),
        sa.Column("target", AutoString(), nullable=False),
        sa.Column("format", AutoString(length=20), nullable=False),
        sa.Column("events", AutoString(), nullable=False, server_default="[]"),
        sa.Column("secret", AutoString(), nullable=False, server_default=""),
        sa.Column("allow_private", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("embargo_trusted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("disabled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", AutoString(), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", AutoString(length=200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "name"),
        _one_of("kind", ("hook", "partner"), "destination"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", AutoString(length=10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", AutoString(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["destination_id"], ["destination.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("destination_id", "event_id"),
        _one_of("state", ("pending", "delivered", "dead"), "delivery"),
    )
    op.create_index("ix_delivery_event_id", "delivery", ["event_id"])
    op.create_index("ix_delivery_due", "delivery", ["state", "next_attempt_at"])
    op.create_index("ix_delivery_order", "delivery", ["destination_id", "article_id", "seq"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_article_copy(bind, autoincrement=True)
        for statement in outbox.statements("sqlite"):
            bind.execute(sa.text(statement))
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for statement in [*outbox.statements("postgresql", _here(schema)), *_grants(), _may(schema, RULES)]:
        bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    for statement in outbox.drop_statements(bind.dialect.name):
        bind.execute(sa.text(statement))
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        bind.execute(sa.text(_may(schema, RULES_0004)))
    else:
        _sqlite_article_copy(bind, autoincrement=False)
    op.drop_index("ix_delivery_order", table_name="delivery")
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_index("ix_delivery_event_id", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("destination")
    op.drop_index("ix_event_at", table_name="event")
    op.drop_table("event")


def _sqlite_article_copy(bind: sa.engine.Connection, *, autoincrement: bool) -> None:
    """SQLite gives a new row the highest id plus one, so the id of the newest story deleted for
    good would go to the next story, which would inherit its events: with AUTOINCREMENT an id is
    never given twice. A copy of the table is the only way there; its ON DELETE SET NULL links
    (made by ADD COLUMN, which reflection does not read) are given again."""
    links = tuple(
        sa.Column(column, sa.Integer, sa.ForeignKey(f"{parent}.id", ondelete="SET NULL"))
        for column, parent in (("image_id", "photo"), ("source_id", "source"))
    )
    options = {"sqlite_autoincrement": True} if autoincrement else {}
    with (
        fulltext.sqlite_article_copied(bind),
        op.batch_alter_table("article", recreate="always", reflect_args=links, table_kwargs=options),
    ):
        pass


def _here(schema: str) -> str:
    quoted = '"' + schema.replace('"', '""') + '"'
    return f"SET search_path = {quoted}, pg_catalog, pg_temp"  # never a temporary table of the caller's


def _grants() -> list[str]:
    """0004's default privileges let every role read a new table and editors write it. Events are
    written by the triggers alone; destinations and deliveries (secrets, partners' addresses) are
    for editors and admins only."""
    return [
        """DO $$ BEGIN
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON event FROM %I, PUBLIC', balita_group('editor'));
            EXECUTE format('REVOKE ALL ON destination, delivery FROM %I, %I, PUBLIC',
                           balita_group('contributor'), balita_group('author'));
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON destination, delivery TO %I',
                           balita_group('editor'));
        END $$"""
    ]


def _may(schema: str, rules: tuple[tuple[str, str, str], ...]) -> str:
    """``balita_may`` (0004's, as 0007 left it) with these rules."""
    ranks = " ".join(f"WHEN '{role}' THEN {rank}" for rank, role in enumerate(ROLES))
    rows = ", ".join(f"('{action}', '{own}', '{anyone}')" for action, own, anyone in rules)
    return f"""CREATE OR REPLACE FUNCTION balita_may(role text, action text, own boolean) RETURNS boolean
        LANGUAGE sql IMMUTABLE {_here(schema)} AS $$
        SELECT coalesce((
            SELECT (CASE role {ranks} END) >= (CASE CASE WHEN own THEN r.own_role ELSE r.any_role END {ranks} END)
            FROM (VALUES {rows}) AS r(act, own_role, any_role) WHERE r.act = action
        ), false) $$"""
