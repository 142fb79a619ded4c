"""No login can make balita wait for ever (PostgreSQL): a table locked by hand or the import lock
held by another session costs a command lock_timeout and one clear line, and the import lock is
the newsroom's own, so newsrooms sharing a server never wait for each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from balita_cli.services.importing.run import TAKE_IMPORT_TURN
from balita_cli.services.permissions import Role
from tests.helpers.database import on_postgres
from tests.helpers.roles import Connect, Desk

pytestmark = pytest.mark.skipif(not on_postgres(), reason="lock and statement timeouts are PostgreSQL's")
GAVE_UP = "error: the database gave up: another session held a lock this needs for longer than lock_timeout allows"


def impatient(url: str) -> str:
    """The login's URL with a one-second lock_timeout in its own options (which win over balita's)."""
    return url.replace("options=", "options=-clock_timeout%3D1s%20", 1)


def test_a_table_locked_by_hand_costs_a_command_lock_timeout_not_for_ever(desk: Desk, connect: Connect) -> None:
    desk.story("desk", "--status", "published")
    author = connect(Role.AUTHOR)
    author.autocommit = False
    author.execute("LOCK TABLE article IN ACCESS EXCLUSIVE MODE")  # the UPDATE grant allows it
    try:
        listed = desk.cli("list", "--format", "ids", env={"BALITA_DATABASE_URL": impatient(desk.urls[Role.EDITOR])})
    finally:
        author.rollback()
    assert listed.exit_code == 1 and "Traceback" not in listed.stderr
    assert listed.stderr.startswith(GAVE_UP) and listed.stderr.count("\n") == 1
    again = desk.run(Role.EDITOR, "list", "--format", "ids")
    assert again.exit_code == 0 and again.stdout.strip()


def a_story(tmp_path: Path) -> Path:
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: Held up\n---\nBody.\n", encoding="utf-8")
    return story


def test_the_import_lock_held_by_another_login_is_given_up_on(desk: Desk, connect: Connect, tmp_path: Path) -> None:
    holder = connect(Role.CONTRIBUTOR)
    holder.autocommit = False
    holder.execute(TAKE_IMPORT_TURN)
    story, url = a_story(tmp_path), impatient(desk.urls[Role.EDITOR])
    try:
        held = desk.cli("import", "markdown", str(story), env={"BALITA_DATABASE_URL": url})
    finally:
        holder.rollback()
    assert held.exit_code == 1 and "Traceback" not in held.stderr and GAVE_UP in held.stderr
    done = desk.cli("import", "markdown", str(story), env={"BALITA_DATABASE_URL": url})
    assert done.exit_code == 0, done.stderr


def test_the_import_lock_is_the_newsrooms_own(desk: Desk, connect: Connect, tmp_path: Path) -> None:
    """Another newsroom on the server (another schema) holding its import lock keeps nobody here waiting."""
    elsewhere = connect(Role.EDITOR)
    elsewhere.autocommit = False
    elsewhere.execute("SET LOCAL search_path TO pg_catalog")
    elsewhere.execute(TAKE_IMPORT_TURN)
    try:
        done = desk.cli(
            "import", "markdown", str(a_story(tmp_path)), env={"BALITA_DATABASE_URL": impatient(desk.urls[Role.EDITOR])}
        )
    finally:
        elsewhere.rollback()
    assert done.exit_code == 0, done.stderr
