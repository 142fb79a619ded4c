"""the newsletter: lists, their subscribers (double opt-in and unsubscribe secrets), each issue
and its per-recipient send log

Subscribers' addresses are personal data: on PostgreSQL only editors and admins read or write
these tables. The rules of ``balita_may`` gain ``newsletter`` (managing lists and subscribers:
editors).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from balita_cli.models import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ROLES = ("contributor", "author", "editor", "admin")
# balita_may's rules as 0018 left them, and managing newsletters.
RULES_0018 = (
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
    ("hooks", "editor", "editor"),
    ("pages", "editor", "editor"),
)
RULES = (*RULES_0018, ("newsletter", "editor", "editor"))
TABLES = ("newsletter_list", "subscriber", "newsletter_issue", "newsletter_send")


def _one_of(column: str, values: tuple[str, ...], table: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


def upgrade() -> None:
    op.create_table(
        "newsletter_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("language", AutoString(length=35), nullable=False),
        sa.Column("section", AutoString(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("email", AutoString(length=320), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("state", AutoString(length=20), nullable=False),
        sa.Column("confirm_secret", AutoString(length=64), nullable=False),
        sa.Column("unsubscribe_secret", AutoString(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["newsletter_list.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_id", "email"),
        _one_of("state", ("pending", "confirmed", "unsubscribed"), "subscriber"),
    )
    op.create_index("ix_subscriber_list_state", "subscriber", ["list_id", "state"])
    op.create_table(
        "newsletter_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("notices_since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("section", AutoString(length=200), nullable=False),
        sa.Column("language", AutoString(length=35), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", AutoString(length=200), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["newsletter_list.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_id", "since"),
    )
    op.create_table(
        "newsletter_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("state", AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", AutoString(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issue_id"], ["newsletter_issue.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issue_id", "subscriber_id"),
        _one_of("state", ("sending", "sent", "failed", "rejected"), "newsletter_send"),
    )
    op.create_index("ix_newsletter_send_subscriber_id", "newsletter_send", ["subscriber_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        for statement in [*_grants(), _may(schema, RULES)]:
            bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        bind.execute(sa.text(_may(schema, RULES_0018)))
    op.drop_index("ix_newsletter_send_subscriber_id", table_name="newsletter_send")
    op.drop_table("newsletter_send")
    op.drop_table("newsletter_issue")
    op.drop_index("ix_subscriber_list_state", table_name="subscriber")
    op.drop_table("subscriber")
    op.drop_table("newsletter_list")


def _grants() -> list[str]:
    """0004's default privileges let every role read a new table: addresses and their tokens are
    for editors and admins only (admins are editors by membership)."""
    tables = ", ".join(TABLES)
    return [
        f"""DO $$ BEGIN
            EXECUTE format('REVOKE ALL ON {tables} FROM %I, %I, PUBLIC',
                           balita_group('contributor'), balita_group('author'));
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO %I', balita_group('editor'));
        END $$"""
    ]


def _here(schema: str) -> str:
    quoted = '"' + schema.replace('"', '""') + '"'
    return f"SET search_path = {quoted}, pg_catalog, pg_temp"


def _may(schema: str, rules: tuple[tuple[str, str, str], ...]) -> str:
    """``balita_may`` (as 0016 wrote it, 0018 kept it) with these rules."""
    ranks = " ".join(f"WHEN '{role}' THEN {rank}" for rank, role in enumerate(ROLES))
    rows = ", ".join(f"('{action}', '{own}', '{anyone}')" for action, own, anyone in rules)
    return f"""CREATE OR REPLACE FUNCTION balita_may(role text, action text, own boolean) RETURNS boolean
        LANGUAGE sql IMMUTABLE {_here(schema)} AS $$
        SELECT coalesce((
            SELECT (CASE role {ranks} END) >= (CASE CASE WHEN own THEN r.own_role ELSE r.any_role END {ranks} END)
            FROM (VALUES {rows}) AS r(act, own_role, any_role) WHERE r.act = action
        ), false) $$"""
