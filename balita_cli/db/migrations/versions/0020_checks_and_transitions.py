"""the database holds the line whoever writes: CHECK constraints on every enumerated column and on
slugs, the workflow's transition table as a trigger on ``article``, and (PostgreSQL) no more
than a role needs to everyone else

The constraints are the models' (``models.py``: status, notice kind, source policy, language,
the slugs of stories, terms and sources, old addresses); the trigger is ``db/transitions.py``'s,
made from ``workflow.TRANSITIONS``. On SQLite the tables are copied to take their constraints
(the copy of ``article`` keeps its full-text and outbox triggers), existing rows as they are. On
PostgreSQL a constraint some existing row breaks is added NOT VALID. Either way new rows are
checked, and `balita db check` names a constraint older rows break until they are fixed.

On PostgreSQL, PUBLIC loses EXECUTE on balita's functions (the newsroom's groups keep it), and,
when the migration runs as the database's owner or a superuser, the right to make temporary
tables in this database (balita makes none); as a superuser also the right to make large objects
(``lo_create`` and its kin, in this database). The ``setting`` rows holding users' e-mails
(``user:<login>``) are read only by their own login, editors and admins (row-level security).
Below admins, a story's ``created_at`` is fixed once written, a revision's version is one the
story has reached, and a notice is not dated before the story was made.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlmodel import SQLModel

import balita_cli.models  # noqa: F401  (the tables and their constraints)
from balita_cli.db import fulltext, outbox, transitions

revision = "0020"
down_revision = "0019"
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
    for statement in [*transitions.statements("postgresql", _here(schema)), *_record(schema), *_narrowed(schema, bind)]:
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
    for statement in [*_widened(), *_unrecord()]:
        bind.execute(sa.text(statement))


def _sqlite_upgrade(bind: sa.engine.Connection) -> None:
    _sqlite_copies(bind, add=True)
    for statement in transitions.statements("sqlite"):
        bind.execute(sa.text(statement))


def _sqlite_copies(bind: sa.engine.Connection, *, add: bool) -> None:
    """Copy each table with (or without) its constraints; the triggers of the outbox go with the
    copied tables, so they are dropped first and made again."""
    for statement in outbox.drop_statements("sqlite"):
        bind.execute(sa.text(statement))
    # Rows from before are copied as they are; `db check` (SQLite's integrity check) names the
    # constraints they break, and every row written from now on is checked.
    bind.execute(sa.text("PRAGMA ignore_check_constraints = ON"))
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
    bind.execute(sa.text("PRAGMA ignore_check_constraints = OFF"))
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


# ---------------------------------------------------------------- PostgreSQL: what PUBLIC may do

USER_ROWS = "key LIKE 'user:%'"  # 0004's users: user:<login> = their e-mail
LARGE_OBJECTS = (
    "lo_create(oid)",
    "lo_creat(integer)",
    "lo_from_bytea(oid, bytea)",
    "lo_import(text)",
    "lo_import(text, oid)",
)


def _narrowed(schema: str, bind: sa.engine.Connection) -> list[str]:
    everyone, editor = (
        _ident(bind.execute(sa.text("SELECT balita_group(:role)"), {"role": role}).scalar_one())
        for role in ("contributor", "editor")
    )
    return [
        # Functions PUBLIC may run (made without a grant of their own): the groups only, from now on.
        f"""DO $$ DECLARE f regprocedure; BEGIN
            FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = {_literal(schema)}::regnamespace
                AND p.proname LIKE 'balita\\_%' AND (p.proacl IS NULL OR EXISTS (
                    SELECT FROM aclexplode(p.proacl) AS a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
            LOOP
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, balita_group('contributor'));
            END LOOP;
        END $$""",
        # Database-wide rights only the owner (or a superuser) may take from PUBLIC.
        """DO $$ BEGIN
            IF pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
                OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
            END IF;
        END $$""",
        f"""DO $$ BEGIN
            IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                {" ".join(f"REVOKE EXECUTE ON FUNCTION pg_catalog.{name} FROM PUBLIC;" for name in LARGE_OBJECTS)}
            END IF;
        END $$""",
        # Users' e-mails: each login reads its own row, editors and admins every row.
        "ALTER TABLE setting ENABLE ROW LEVEL SECURITY",
        f"""CREATE POLICY balita_read ON setting FOR SELECT TO {everyone} USING (NOT ({USER_ROWS})
            OR key = 'user:' || session_user OR balita_session_role() IN ('editor', 'admin'))""",
        f"CREATE POLICY balita_write ON setting FOR ALL TO {editor} USING (true) WITH CHECK (true)",
    ]


def _widened() -> list[str]:
    return [
        "DROP POLICY IF EXISTS balita_read ON setting",
        "DROP POLICY IF EXISTS balita_write ON setting",
        "ALTER TABLE setting DISABLE ROW LEVEL SECURITY",
        f"""DO $$ BEGIN
            IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                {" ".join(f"GRANT EXECUTE ON FUNCTION pg_catalog.{name} TO PUBLIC;" for name in LARGE_OBJECTS)}
            END IF;
            IF pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
                OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
            END IF;
        END $$""",
        """DO $$ DECLARE f regprocedure; BEGIN
            FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
                AND p.proname LIKE 'balita\\_%' AND EXISTS (SELECT FROM aclexplode(p.proacl) AS a
                    WHERE a.grantee = balita_group('contributor')::regrole AND a.privilege_type = 'EXECUTE')
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
                EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM %I', f, balita_group('contributor'));
            END LOOP;
        END $$""",
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------- PostgreSQL: the record below admins

RECORD_TRIGGERS = (
    ("balita_article_created", "article", "BEFORE UPDATE OF created_at"),
    ("balita_revision_record", "revision", "BEFORE INSERT"),
    ("balita_correction_record", "correction", "BEFORE INSERT"),
)


def _refusal(message: str, *values: str) -> str:
    listed = "".join(f", {value}" for value in values)
    return f"RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format({_literal(message)}{listed})"


def _record(schema: str) -> list[str]:
    """Triggers named to fire after 0004's guards (PostgreSQL fires them in name order)."""
    below_admin = "balita_session_role() IS DISTINCT FROM 'admin'"
    bodies = {
        "balita_article_created": f"""IF {below_admin} AND NEW.created_at IS DISTINCT FROM OLD.created_at THEN
                {_refusal("%s may not change when story %s was made", "session_user", "OLD.id")};
            END IF;""",
        "balita_revision_record": f"""IF {below_admin} AND (NEW.version < 2 OR NEW.version > coalesce(
                    (SELECT a.version FROM article a WHERE a.id = NEW.article_id), 0)) THEN
                {
            _refusal("revision %s of story %s: the story has not reached that version", "NEW.version", "NEW.article_id")
        };
            END IF;""",
        "balita_correction_record": f"""IF {below_admin} AND NEW.created_at < (
                    SELECT a.created_at FROM article a WHERE a.id = NEW.article_id) THEN
                {_refusal("a notice on story %s cannot be dated before the story was made", "NEW.article_id")};
            END IF;""",
    }
    done = []
    for name, table, when in RECORD_TRIGGERS:
        done += [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql {_here(schema)} AS $$ BEGIN
                {bodies[name]}
                RETURN NEW;
            END $$""",
            f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return done


def _unrecord() -> list[str]:
    return [
        statement
        for name, table, _when in RECORD_TRIGGERS
        for statement in (f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()")
    ]
