"""pages: the site's pages that are not news (about, contacts, editorial standards, corrections
policy, privacy), versioned like stories, with their revisions

On PostgreSQL only editors and admins write pages: everyone reads them, editors write them, and
their revisions are append-only but for admins (as a story's are); who wrote a page or a revision
is the login (triggers, as for stories). The rules of ``balita_may`` gain ``pages`` (editors).
Nothing on SQLite beyond the tables; the outbox's triggers are not touched (pages make no events).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from balita_cli.models import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

ROLES = ("contributor", "author", "editor", "admin")
# balita_may's rules as 0016 left them, and writing pages. A later change is a later migration.
RULES_0016 = (
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
)
RULES = (*RULES_0016, ("pages", "editor", "editor"))


def upgrade() -> None:
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", AutoString(length=200), nullable=False),
        sa.Column("title", AutoString(), nullable=False),
        sa.Column("summary", AutoString(), nullable=False, server_default=""),
        sa.Column("body", AutoString(), nullable=False, server_default=""),
        sa.Column("role", AutoString(length=40), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", AutoString(length=200), nullable=False, server_default=""),
        sa.Column("updated_by", AutoString(length=200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "page_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", AutoString(length=200), nullable=False, server_default=""),
        sa.Column("note", AutoString(), nullable=False, server_default=""),
        sa.Column("snapshot", AutoString(), nullable=False, server_default="{}"),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("page_id", "version"),
    )
    op.create_index("ix_page_revision_page_id", "page_revision", ["page_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        for statement in [*_grants(), _may(schema, RULES), *_stamps(schema)]:
            bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        bind.execute(sa.text(_may(schema, RULES_0016)))
        for statement in (
            "DROP TRIGGER IF EXISTS balita_page_revision_guard ON page_revision",
            "DROP TRIGGER IF EXISTS balita_page_guard ON page",
            "DROP FUNCTION IF EXISTS balita_page_guard()",
        ):
            bind.execute(sa.text(statement))
    op.drop_index("ix_page_revision_page_id", table_name="page_revision")
    op.drop_table("page_revision")
    op.drop_table("page")


def _grants() -> list[str]:
    """0004's default privileges let every role read a new table and editors write it; said here
    outright, with a page's revisions append-only but for admins."""
    return [
        """DO $$ BEGIN
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON page, page_revision FROM %I, %I, PUBLIC',
                           balita_group('contributor'), balita_group('author'));
            EXECUTE format('GRANT SELECT ON page, page_revision TO %I', balita_group('contributor'));
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON page TO %I', balita_group('editor'));
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON page_revision FROM %I', balita_group('editor'));
            EXECUTE format('GRANT INSERT ON page_revision TO %I', balita_group('editor'));
            EXECUTE format('GRANT UPDATE, DELETE ON page_revision TO %I', balita_group('admin'));
        END $$"""
    ]


def _stamps(schema: str) -> list[str]:
    """Who wrote a page or its revision is the login, whatever the SQL says (as for stories, an
    admin may record a change under another name: balita --as)."""
    return [
        f"""CREATE FUNCTION balita_page_guard() RETURNS trigger LANGUAGE plpgsql {_here(schema)} AS $$
            BEGIN
                IF balita_session_role() = 'admin' THEN
                    IF TG_OP = 'INSERT' THEN
                        NEW.created_by := coalesce(nullif(NEW.created_by, ''), session_user);
                    END IF;
                    NEW.updated_by := coalesce(nullif(NEW.updated_by, ''), session_user);
                    RETURN NEW;
                END IF;
                IF TG_OP = 'INSERT' THEN
                    NEW.created_by := session_user;
                ELSE
                    NEW.created_by := OLD.created_by;
                END IF;
                NEW.updated_by := session_user;
                RETURN NEW;
            END $$""",
        "CREATE TRIGGER balita_page_guard BEFORE INSERT OR UPDATE ON page "
        "FOR EACH ROW EXECUTE FUNCTION balita_page_guard()",
        # 0004's revision guard stamps changed_by: a page's revision has the same column.
        "CREATE TRIGGER balita_page_revision_guard BEFORE INSERT ON page_revision "
        "FOR EACH ROW EXECUTE FUNCTION balita_revision_guard()",
    ]


def _here(schema: str) -> str:
    quoted = '"' + schema.replace('"', '""') + '"'
    return f"SET search_path = {quoted}, pg_catalog, pg_temp"


def _may(schema: str, rules: tuple[tuple[str, str, str], ...]) -> str:
    """``balita_may`` (as 0016 left it) with these rules."""
    ranks = " ".join(f"WHEN '{role}' THEN {rank}" for rank, role in enumerate(ROLES))
    rows = ", ".join(f"('{action}', '{own}', '{anyone}')" for action, own, anyone in rules)
    return f"""CREATE OR REPLACE FUNCTION balita_may(role text, action text, own boolean) RETURNS boolean
        LANGUAGE sql IMMUTABLE {_here(schema)} AS $$
        SELECT coalesce((
            SELECT (CASE role {ranks} END) >= (CASE CASE WHEN own THEN r.own_role ELSE r.any_role END {ranks} END)
            FROM (VALUES {rows}) AS r(act, own_role, any_role) WHERE r.act = action
        ), false) $$"""
