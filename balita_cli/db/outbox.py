"""The outbox's triggers: every change readers can see becomes an ``event`` row, and a ``delivery``
row for each destination that takes it, in the transaction that made the change, whoever wrote it
(balita's commands, an import, the due run, another login's SQL on PostgreSQL).

One rule, written for both databases (migration 0016 makes it; a later migration that copies
``article``, ``correction``, the byline or tag tables, or ``event`` on SQLite drops and remakes
these triggers around the copy with ``statements``/``drop_statements``):

- a story inserted published (not in the trash): ``published``;
- a status change: to published, archived or retracted, that event; from one of those to a
  working status (draft, review, scheduled), ``unpublished``;
- into the trash while public: ``deleted``; out of it, public again: ``restored``; deleted for
  good while public and not in the trash: ``deleted``;
- a published or archived story whose public columns change: ``updated``; a change of its tags or
  byline alone: ``updated`` too, unless the story's current version already has its event;
- a correction notice on a published or archived story: ``corrected``;
- but the notices, tags and byline a story is created with (at its version 1, in the transaction
  that made it: an import's history) are part of its creation, not events of their own.

Each event takes the next number of its story (``seq``); its time is the story's ``updated_at``
when the change set it (balita's clock, so ``--clock`` holds), else the database's.
"""

from __future__ import annotations

PUBLIC = "('published', 'archived', 'retracted')"
SHOWN = "('published', 'archived')"  # statuses whose edits and corrections are events
# The article's columns readers see: a change of one is an ``updated`` event.
CONTENT = (
    *("slug", "title", "subtitle", "summary", "body", "language", "section_id", "source_name", "source_url"),
    *("canonical_url", "image_url", "image_id", "image_alt", "image_caption", "image_credit", "dateline"),
    *("published_at", "expires_at", "retraction_reason"),
)
BYLINE_TABLES = ("article_tag", "article_author")
EVENT_COLUMNS = (
    "uid, article_id, seq, kind, at, version, status, slug, title, language, published_at, article_created_at, "
    "notice, actor"
)
# The key PostgreSQL serialises a story's events by (with the story's id as the second key).
EVENT_LOCK_KEY = 0x62616C69


def _kind_of_change(old: str, new: str, differs: str) -> str:
    """The event an UPDATE of ``article`` makes (NULL for none), with ``old``/``new`` its rows and
    ``differs`` the dialect's null-safe inequality."""
    changed = " OR ".join(f"{new}.{column} {differs} {old}.{column}" for column in CONTENT)
    return f"""CASE
        WHEN {old}.deleted_at IS NULL AND {new}.deleted_at IS NOT NULL THEN
            CASE WHEN {old}.status IN {PUBLIC} THEN 'deleted' END
        WHEN {old}.deleted_at IS NOT NULL AND {new}.deleted_at IS NULL THEN
            CASE WHEN {new}.status IN {PUBLIC} THEN 'restored' END
        WHEN {new}.deleted_at IS NOT NULL THEN NULL
        WHEN {new}.status {differs} {old}.status THEN
            CASE WHEN {new}.status IN {PUBLIC} THEN {new}.status
                 WHEN {old}.status IN {PUBLIC} THEN 'unpublished' END
        WHEN {new}.status IN {SHOWN} AND ({changed}) THEN 'updated'
    END"""


# ---------------------------------------------------------------- SQLite

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000'"


def _sqlite_event(row: str, kind: str, at: str, notice: str, where: str = "", source: str = "") -> str:
    """INSERT of an event for the article ``row`` (an alias with the article's columns)."""
    sources = f"(SELECT {kind} AS kind) AS change{source}"
    condition = " AND ".join(filter(None, ["change.kind IS NOT NULL", where]))
    return f"""INSERT INTO event ({EVENT_COLUMNS})
        SELECT lower(hex(randomblob(16))), {row}.id,
               coalesce((SELECT max(e.seq) FROM event AS e WHERE e.article_id = {row}.id), 0) + 1,
               change.kind, {at}, {row}.version, {row}.status, {row}.slug, {row}.title, {row}.language,
               {row}.published_at, {row}.created_at, {notice}, {row}.updated_by
        FROM {sources} WHERE {condition};"""


def _sqlite_byline(table: str, operation: str, row: str) -> str:
    article = _sqlite_event(
        "a",
        "'updated'",
        "a.updated_at",
        "''",
        source=", article AS a",
        where=f"a.id = {row}.article_id AND a.deleted_at IS NULL AND a.status IN {SHOWN} AND a.version > 1 "
        "AND NOT EXISTS (SELECT 1 FROM event AS e WHERE e.article_id = a.id AND e.version = a.version)",
    )
    return f"CREATE TRIGGER balita_event_{table}_{operation.lower()} AFTER {operation} ON {table} BEGIN {article} END"


def _sqlite_statements() -> list[str]:
    inserted = _sqlite_event("NEW", "'published'", f"coalesce(NEW.updated_at, {_SQLITE_NOW})", "''")
    changed_at = f"CASE WHEN NEW.updated_at IS NOT OLD.updated_at THEN NEW.updated_at ELSE {_SQLITE_NOW} END"
    notice = "CASE WHEN change.kind = 'retracted' THEN NEW.retraction_reason ELSE '' END"
    changed = _sqlite_event("NEW", _kind_of_change("OLD", "NEW", "IS NOT"), changed_at, notice)
    deleted = _sqlite_event("OLD", "'deleted'", _SQLITE_NOW, "''")
    corrected = _sqlite_event(
        "a",
        "'corrected'",
        f"coalesce(NEW.created_at, {_SQLITE_NOW})",
        "NEW.text",
        source=", article AS a",
        where=f"a.id = NEW.article_id AND a.deleted_at IS NULL AND a.status IN {SHOWN} AND a.version > 1",
    )
    return [
        "CREATE TRIGGER balita_event_article_insert AFTER INSERT ON article "
        f"WHEN NEW.status = 'published' AND NEW.deleted_at IS NULL BEGIN {inserted} END",
        f"CREATE TRIGGER balita_event_article_update AFTER UPDATE ON article BEGIN {changed} END",
        "CREATE TRIGGER balita_event_article_delete AFTER DELETE ON article "
        f"WHEN OLD.deleted_at IS NULL AND OLD.status IN {PUBLIC} BEGIN {deleted} END",
        f"CREATE TRIGGER balita_event_correction_insert AFTER INSERT ON correction "
        f"WHEN NEW.kind = 'correction' BEGIN {corrected} END",
        *[
            _sqlite_byline(table, operation, row)
            for table in BYLINE_TABLES
            for operation, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
        ],
        f"""CREATE TRIGGER balita_event_fan_out AFTER INSERT ON event BEGIN
            INSERT INTO delivery (destination_id, event_id, article_id, seq, state, attempts, next_attempt_at,
                                  last_error)
            SELECT d.id, NEW.id, NEW.article_id, NEW.seq, 'pending', 0, {_SQLITE_NOW}, ''
            FROM destination AS d
            WHERE d.disabled_at IS NULL AND d.events LIKE '%"' || NEW.kind || '"%';
        END""",
    ]


SQLITE_TRIGGERS = (
    "balita_event_article_insert",
    "balita_event_article_update",
    "balita_event_article_delete",
    "balita_event_correction_insert",
    *[f"balita_event_{table}_{operation}" for table in BYLINE_TABLES for operation in ("insert", "delete")],
    "balita_event_fan_out",
)


# ---------------------------------------------------------------- PostgreSQL

# (trigger and its function, table, when it fires)
_UPDATE_FILTER = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at "
    f"OR (NEW.status IN {SHOWN} AND NEW.deleted_at IS NULL)"
)
PG_TRIGGERS = (
    (
        "balita_event_article_insert",
        "article",
        "AFTER INSERT ON article FOR EACH ROW WHEN (NEW.status = 'published' AND NEW.deleted_at IS NULL)",
    ),
    ("balita_event_article_update", "article", f"AFTER UPDATE ON article FOR EACH ROW WHEN ({_UPDATE_FILTER})"),
    (
        "balita_event_article_delete",
        "article",
        f"AFTER DELETE ON article FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND OLD.status IN {PUBLIC})",
    ),
    (
        "balita_event_correction_insert",
        "correction",
        "AFTER INSERT ON correction FOR EACH ROW WHEN (NEW.kind = 'correction')",
    ),
    *[
        (
            f"balita_event_{table}_{operation.lower()}",
            table,
            f"AFTER {operation} ON {table} REFERENCING {side} TABLE AS changed FOR EACH STATEMENT",
        )
        for table in BYLINE_TABLES
        for operation, side in (("INSERT", "NEW"), ("DELETE", "OLD"))
    ],
    ("balita_event_fan_out", "event", "AFTER INSERT ON event FOR EACH ROW"),
)
# A story made by this very transaction (or one of its savepoints: a row another transaction has
# not committed is not seen), still at version 1: its notices and byline are its creation's.
_PG_BEING_MADE = "(a.version = 1 AND balita_written_here(a.xmin))"
PG_FUNCTIONS = (
    "balita_written_here(xid)",
    "balita_event_record(article, text, text, timestamp with time zone)",
    *[f"{name}()" for name, _table, _when in PG_TRIGGERS],
)


def _pg_trigger_function(name: str, body: str, here: str, declare: str = "") -> str:
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {here} AS $$
        {declare}
        BEGIN
            {body}
            RETURN NULL;
        END $$"""


def _pg_byline(name: str, here: str) -> str:
    body = f"""FOR story IN
                SELECT a.* FROM article AS a WHERE a.id IN (SELECT DISTINCT article_id FROM changed)
                  AND a.deleted_at IS NULL AND a.status IN {SHOWN} AND NOT {_PG_BEING_MADE}
                  AND NOT EXISTS (SELECT 1 FROM event AS e WHERE e.article_id = a.id AND e.version = a.version)
                ORDER BY a.id
            LOOP
                PERFORM balita_event_record(story, 'updated', '', story.updated_at);
            END LOOP;"""
    return _pg_trigger_function(name, body, here, "DECLARE story article;")


def _pg_statements(here: str) -> list[str]:
    # xmin is 32 bits: its epoch is taken to be the transaction's own (a row it wrote).
    written_here = f"""CREATE FUNCTION balita_written_here(writer xid) RETURNS boolean LANGUAGE sql STABLE {here}
            AS $$ SELECT pg_xact_status(((pg_current_xact_id()::text::bigint >> 32 << 32)
                                         | writer::text::bigint)::text::xid8) = 'in progress' $$"""
    record = f"""CREATE FUNCTION balita_event_record(story article, what text, notice text,
                happened timestamp with time zone) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER {here} AS $$
            DECLARE next_seq integer;
            BEGIN
                PERFORM pg_advisory_xact_lock({EVENT_LOCK_KEY}, story.id);
                SELECT coalesce(max(seq), 0) + 1 INTO next_seq FROM event WHERE article_id = story.id;
                INSERT INTO event ({EVENT_COLUMNS})
                VALUES (replace(gen_random_uuid()::text, '-', ''), story.id, next_seq, what, coalesce(happened, now()),
                        story.version, story.status, story.slug, story.title, story.language, story.published_at,
                        story.created_at, coalesce(notice, ''), story.updated_by);
            END $$"""
    update_body = f"""what := {_kind_of_change("OLD", "NEW", "IS DISTINCT FROM")};
            IF what IS NOT NULL THEN
                PERFORM balita_event_record(NEW, what, CASE WHEN what = 'retracted' THEN NEW.retraction_reason END,
                    CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at END);
            END IF;"""
    corrected_body = f"""SELECT a.* INTO story FROM article AS a WHERE a.id = NEW.article_id
                AND a.deleted_at IS NULL AND a.status IN {SHOWN} AND NOT {_PG_BEING_MADE};
            IF FOUND THEN
                PERFORM balita_event_record(story, 'corrected', NEW.text, NEW.created_at);
            END IF;"""
    fan_out = """INSERT INTO delivery (destination_id, event_id, article_id, seq, state, attempts, next_attempt_at,
                                  last_error)
            SELECT d.id, NEW.id, NEW.article_id, NEW.seq, 'pending', 0, now(), ''
            FROM destination AS d
            WHERE d.disabled_at IS NULL AND d.events LIKE '%"' || NEW.kind || '"%';"""
    functions = [
        written_here,
        record,
        _pg_trigger_function(
            "balita_event_article_insert", "PERFORM balita_event_record(NEW, 'published', '', NEW.updated_at);", here
        ),
        _pg_trigger_function("balita_event_article_update", update_body, here, "DECLARE what text;"),
        _pg_trigger_function(
            "balita_event_article_delete", "PERFORM balita_event_record(OLD, 'deleted', '', NULL);", here
        ),
        _pg_trigger_function("balita_event_correction_insert", corrected_body, here, "DECLARE story article;"),
        *[_pg_byline(name, here) for name, table, _when in PG_TRIGGERS if table in BYLINE_TABLES],
        _pg_trigger_function("balita_event_fan_out", fan_out, here),
    ]
    triggers = [f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {name}()" for name, _table, when in PG_TRIGGERS]
    revoked = [f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC" for signature in PG_FUNCTIONS]
    return [*functions, *triggers, *revoked]


# ---------------------------------------------------------------- both


def statements(dialect: str, here: str = "") -> list[str]:
    """The triggers (and on PostgreSQL their functions, ``here`` pinning their search path)."""
    return _sqlite_statements() if dialect == "sqlite" else _pg_statements(here)


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    dropped = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, _when in PG_TRIGGERS]
    return [*dropped, *[f"DROP FUNCTION IF EXISTS {signature}" for signature in reversed(PG_FUNCTIONS)]]
