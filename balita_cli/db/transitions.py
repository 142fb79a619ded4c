"""The workflow's transition table (``workflow.TRANSITIONS``) as a trigger on ``article``: whoever
writes, through balita or around it, a status moves only along the table (a retracted story
stays retracted). Generated from the one table in Python, for both databases; migration 0020
makes it, and a later migration that copies ``article`` on SQLite makes it again with ``statements``.

On PostgreSQL the trigger is named to fire after ``balita_article_guard`` (triggers fire in name
order), so a role that may not make a change at all hears that first.
"""

from __future__ import annotations

from balita_cli.workflow import TRANSITIONS

TRIGGER = "balita_article_transition"
PG_FUNCTION = f"{TRIGGER}()"
# The message of workflow.check_transition, for SQLite (whose RAISE takes a fixed text).
SQLITE_MESSAGE = "cannot change status this way: not a transition of the workflow"


def _moves() -> str:
    """Every allowed move as ``'old>new'``, for ``old || '>' || new IN (...)``."""
    return ", ".join(f"'{old.value}>{new.value}'" for old, targets in TRANSITIONS.items() for new in sorted(targets))


def _allowed_cases() -> str:
    """The targets allowed from each status, worded as ``check_transition`` words them."""
    cases = " ".join(
        f"WHEN '{old.value}' THEN '{', '.join(sorted(t.value for t in targets)) or 'none'}'"
        for old, targets in TRANSITIONS.items()
    )
    return f"CASE OLD.status {cases} ELSE 'none' END"


def _refused(old: str, new: str, differs: str) -> str:
    """A move between two statuses that the table does not have (an unknown status is the CHECK's)."""
    known = ", ".join(f"'{status}'" for status in TRANSITIONS)
    return (
        f"{new}.status {differs} {old}.status AND {new}.status IN ({known}) "
        f"AND ({old}.status || '>' || {new}.status) NOT IN ({_moves()})"
    )


def statements(dialect: str, here: str = "") -> list[str]:
    """The trigger (and on PostgreSQL its function, ``here`` pinning its search path)."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF status ON article "
            f"WHEN {_refused('OLD', 'NEW', 'IS NOT')} BEGIN SELECT RAISE(ABORT, '{SQLITE_MESSAGE}'); END"
        ]
    return [
        f"""CREATE FUNCTION {PG_FUNCTION} RETURNS trigger LANGUAGE plpgsql {here} AS $$ BEGIN
            IF {_refused("OLD", "NEW", "IS DISTINCT FROM")} THEN
                RAISE EXCEPTION USING ERRCODE = '23514',
                    MESSAGE = format('cannot change status from %s to %s (allowed: %s)',
                                     OLD.status, NEW.status, {_allowed_cases()}),
                    DETAIL = 'balita-workflow';
            END IF;
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF status ON article FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}",
    ]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON article", f"DROP FUNCTION IF EXISTS {PG_FUNCTION}"]
