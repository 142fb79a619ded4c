"""PostgreSQL: the search index in a table of its own, which a bulk load may fill after its rows;
the role checks' functions in PL/pgSQL; nothing on SQLite

An article's search document is a row of ``article_search``, kept by triggers whoever writes, so
``to_tsvector`` is no longer part of every insert. A transaction that sets ``balita.search_later``
lists its new rows in ``article_search_waiting`` instead, and ``balita_search_catch_up`` makes
their documents later from another connection; a search computes the waiting ones' documents on
the spot, so it is right either way. Only SECURITY DEFINER functions write the two tables, so no
one can plant a document that is not their article's text. The role functions become PL/pgSQL,
whose plans last the session, where SQL functions with their own ``search_path`` were planned
again at every call.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from balita_cli.db.fulltext import PG_DOCUMENT

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

USER_KEY = "user:"  # as 0004_roles: setting rows user:<login> = their e-mail


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for statement in [*_search(_here(schema)), *_role_functions(_here(schema), plpgsql=True)]:
        bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for statement in [*_undo_search(), *_role_functions(_here(schema), plpgsql=False)]:
        bind.execute(sa.text(statement))


def _here(schema: str) -> str:
    quoted = '"' + schema.replace('"', '""') + '"'
    return f"SET search_path = {quoted}, pg_catalog, pg_temp"  # never a temporary table of the caller's


def _search(here: str) -> list[str]:
    later = "current_setting('balita.search_later', true) = 'on'"
    return [
        "DROP INDEX IF EXISTS ix_article_fulltext",
        "CREATE TABLE article_search (article_id integer PRIMARY KEY, document tsvector NOT NULL)",
        # A document hardly compresses (3.5 KB of 4.9): trying costs more than it saves; and it
        # stays in its row (the row's at most a page) rather than going to the TOAST table.
        "ALTER TABLE article_search ALTER COLUMN document SET STORAGE EXTERNAL",
        "ALTER TABLE article_search SET (toast_tuple_target = 8160)",
        "CREATE TABLE article_search_waiting (article_id integer PRIMARY KEY)",
        # 0004's default privileges let editors write new tables: these two only the functions write.
        """DO $$ BEGIN
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON article_search, article_search_waiting '
                           'FROM %I, PUBLIC', balita_group('editor'));
        END $$""",
        f"""CREATE FUNCTION balita_search_added() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {here}
            AS $$ BEGIN
                IF {later} THEN
                    INSERT INTO article_search_waiting (article_id) SELECT id FROM added ON CONFLICT DO NOTHING;
                ELSE
                    INSERT INTO article_search (article_id, document) SELECT id, {PG_DOCUMENT} FROM added
                        ON CONFLICT (article_id) DO UPDATE SET document = excluded.document;
                END IF;
                RETURN NULL;
            END $$""",
        f"""CREATE FUNCTION balita_search_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {here}
            AS $$ BEGIN
                IF {later} THEN
                    DELETE FROM article_search WHERE article_id = NEW.id;
                    INSERT INTO article_search_waiting (article_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
                ELSE
                    INSERT INTO article_search (article_id, document)
                        SELECT NEW.id, {PG_DOCUMENT}
                        FROM (SELECT NEW.title AS title, NEW.summary AS summary, NEW.body AS body) AS changed
                        ON CONFLICT (article_id) DO UPDATE SET document = excluded.document;
                END IF;
                RETURN NULL;
            END $$""",
        f"""CREATE FUNCTION balita_search_removed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {here}
            AS $$ BEGIN
                DELETE FROM article_search WHERE article_id IN (SELECT id FROM removed);
                DELETE FROM article_search_waiting WHERE article_id IN (SELECT id FROM removed);
                RETURN NULL;
            END $$""",
        # Waiting articles (all, or at most ``most``) get their documents; rows another connection
        # is doing are skipped, so several connections share the work. FOR SHARE: an article changed
        # meanwhile is read as it is now, and a change after waits for this transaction (its
        # trigger then redoes the document).
        f"""CREATE FUNCTION balita_search_catch_up(most integer DEFAULT NULL) RETURNS integer
            LANGUAGE plpgsql SECURITY DEFINER {here} AS $$
            DECLARE done integer;
            BEGIN
                WITH taken AS (
                    DELETE FROM article_search_waiting WHERE article_id IN (
                        SELECT w.article_id FROM article_search_waiting w LIMIT most FOR UPDATE SKIP LOCKED)
                    RETURNING article_id
                ), current_text AS (
                    SELECT a.id, a.title, a.summary, a.body FROM article a JOIN taken ON taken.article_id = a.id
                    FOR SHARE OF a
                )
                INSERT INTO article_search (article_id, document) SELECT id, {PG_DOCUMENT} FROM current_text
                    ON CONFLICT (article_id) DO UPDATE SET document = excluded.document;
                GET DIAGNOSTICS done = ROW_COUNT;
                RETURN done;
            END $$""",
        "CREATE TRIGGER balita_search_added AFTER INSERT ON article REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION balita_search_added()",
        "CREATE TRIGGER balita_search_changed AFTER UPDATE OF title, summary, body ON article FOR EACH ROW "
        "WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary "
        "OR OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION balita_search_changed()",
        "CREATE TRIGGER balita_search_removed AFTER DELETE ON article REFERENCING OLD TABLE AS removed "
        "FOR EACH STATEMENT EXECUTE FUNCTION balita_search_removed()",
        f"INSERT INTO article_search (article_id, document) SELECT id, {PG_DOCUMENT} FROM article",
        "CREATE INDEX ix_article_search_document ON article_search USING gin (document)",
    ]


def _undo_search() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS balita_search_added ON article",
        "DROP TRIGGER IF EXISTS balita_search_changed ON article",
        "DROP TRIGGER IF EXISTS balita_search_removed ON article",
        "DROP FUNCTION IF EXISTS balita_search_added(), balita_search_changed(), balita_search_removed(), "
        "balita_search_catch_up(integer)",
        "DROP TABLE IF EXISTS article_search, article_search_waiting",
        f"CREATE INDEX ix_article_fulltext ON article USING gin (({PG_DOCUMENT}))",
    ]


def _role_functions(here: str, *, plpgsql: bool) -> list[str]:
    """0004's ``balita_session_role``, ``balita_owns``, ``balita_may_hold`` and
    ``balita_may_touch``: as PL/pgSQL (``plpgsql``), or as SQL, the way 0004 made them."""
    owns = f"""created_by = session_user OR EXISTS (
                SELECT 1 FROM article_author aa JOIN author au ON au.id = aa.author_id
                JOIN setting s ON s.key = '{USER_KEY}' || session_user
                WHERE aa.article_id = balita_owns.article_id AND s.value <> ''
                  AND lower(au.email) = lower(s.value))"""
    may_hold = """CASE balita_session_role()
                WHEN 'admin' THEN true
                WHEN 'editor' THEN true
                WHEN 'author' THEN deleted_at IS NULL AND balita_owns(article_id, created_by)
                WHEN 'contributor' THEN deleted_at IS NULL AND status IN ('draft', 'review')
                    AND balita_owns(article_id, created_by)
                ELSE false END"""
    may_touch = """CASE WHEN balita_session_role() IN ('admin', 'editor') THEN true
                ELSE coalesce((SELECT balita_may_hold(a.id, a.created_by, a.status, a.deleted_at)
                               FROM article a WHERE a.id = balita_may_touch.article_id), false) END"""
    bodies = [
        ("balita_session_role()", "text", "balita_role_of(session_user)"),
        ("balita_owns(article_id integer, created_by text)", "boolean", owns),
        (
            "balita_may_hold(article_id integer, created_by text, status text, deleted_at timestamp with time zone)",
            "boolean",
            may_hold,
        ),
        ("balita_may_touch(article_id integer)", "boolean", may_touch),
    ]
    if plpgsql:
        body = "LANGUAGE plpgsql STABLE {here} AS $$ BEGIN RETURN {expression}; END $$"
    else:
        body = "LANGUAGE sql STABLE {here} AS $$ SELECT {expression} $$"
    return [
        f"CREATE OR REPLACE FUNCTION {signature} RETURNS {returns} " + body.format(here=here, expression=expression)
        for signature, returns, expression in bodies
    ]
