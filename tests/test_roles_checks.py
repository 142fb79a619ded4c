"""What the database itself refuses, whoever writes (issue 28, items 1 and 2): values outside an
enumerated column or a slug rule (CHECK constraints, on both databases), and status moves outside
the workflow's transition table (a trigger made from ``workflow.TRANSITIONS``), tried as each
role's own login through psycopg, around balita."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from balita_cli.services.permissions import Role
from balita_cli.workflow import TRANSITIONS, Status
from tests.helpers.cli import Cli
from tests.helpers.database import check_constraint_count, engine_of, on_postgres
from tests.helpers.roles import Connect, Desk

C, A, E, ADMIN = Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR, Role.ADMIN
on_postgresql = pytest.mark.skipif(not on_postgres(), reason="roles and their logins are PostgreSQL's")


def refused_by_check(connection: psycopg.Connection[Any], statement: str, *params: Any) -> str:
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        connection.execute(statement, params)
    return str(caught.value)


def refused_move(connection: psycopg.Connection[Any], article: int, target: str) -> str:
    return refused_by_check(connection, "UPDATE article SET status = %s WHERE id = %s", target, article)


# ---------------------------------------------------------------- 2. CHECK constraints


BAD_SLUGS = ["../x", "a/b/c", ".hidden", "Senate", "senate--hearing", "-senate", "senate-", "", "sen ate", "señado"]
BAD_ALIASES = ["../x", "a/b/c", ".hidden", "/.hidden/", "/a/../b/", "//x/", "/static/x/", "/tags/x/", "/", "Old"]


@on_postgresql
def test_a_contributor_cannot_plant_a_value_outside_the_rules(desk: Desk, connect: Connect) -> None:
    mine = int(desk.story(desk.names[C]))
    ana = connect(C)
    authors = int(desk.story(desk.names[A]))
    assert "ck_article_status" in refused_move(connect(A), authors, "bogus")  # RLS refuses a contributor first
    for slug in BAD_SLUGS:
        assert "ck_tag_slug" in refused_by_check(ana, "INSERT INTO tag (name, slug) VALUES ('x', %s)", slug)
        assert "ck_section_slug" in refused_by_check(
            ana, "INSERT INTO section (name, slug, description) VALUES ('x', %s, '')", slug
        )
        assert "ck_author_slug" in refused_by_check(
            ana, "INSERT INTO author (name, slug, email, bio) VALUES ('x', %s, '', '')", slug
        )
        assert "ck_article_slug" in refused_by_check(ana, "UPDATE article SET slug = %s WHERE id = %s", slug, mine)
    for alias in BAD_ALIASES:
        statement = "INSERT INTO article_slug (article_id, slug) VALUES (%s, %s)"
        assert "ck_article_slug_slug" in refused_by_check(ana, statement, mine, alias)
    for language in ["", "e", "1en", "en us", "en--us", "en/../x", "-en", "en-"]:
        statement = "UPDATE article SET language = %s WHERE id = %s"
        assert "ck_article_language" in refused_by_check(ana, statement, language, mine)
    # What the rules allow, she still may.
    ana.execute("INSERT INTO tag (name, slug) VALUES ('Senate 2', 'senate-2')")
    ana.execute("INSERT INTO article_slug (article_id, slug) VALUES (%s, 'old-title')", (mine,))
    ana.execute("INSERT INTO article_slug (article_id, slug) VALUES (%s, '/2019/05/old-title/')", (mine,))
    ana.execute("UPDATE article SET language = 'fil-PH' WHERE id = %s", (mine,))
    assert desk.sql("SELECT status, language FROM article WHERE id = :id", id=mine) == [("draft", "fil-PH")]


@on_postgresql
def test_an_author_and_an_editor_cannot_write_an_unknown_kind(desk: Desk, connect: Connect) -> None:
    published = int(desk.story(desk.names[A], "--status", "published"))
    statement = "INSERT INTO correction (article_id, created_at, kind, text) VALUES (%s, now(), %s, 'x')"
    assert "ck_correction_kind" in refused_by_check(connect(A), statement, published, "bogus")
    cora = connect(E)
    insert = (
        "INSERT INTO source (name, slug, url, section, language, tags, excerpt_words, full_text, publish, "
        "every_minutes, allow_private, paused, etag, last_modified, last_error, failures, created_at) "
        "VALUES ('Outlet', 'outlet', 'https://news.example/feed', '', '', '[]', 120, false, %s, 15, "
        "false, false, '', '', '', 0, now())"
    )
    assert "ck_source_publish" in refused_by_check(cora, insert, "everything")
    cora.execute(insert, ("review",))
    assert "ck_source_slug" in refused_by_check(cora, "UPDATE source SET slug = '../x'")
    assert desk.sql("SELECT count(*) FROM correction WHERE article_id = :id", id=published) == [(0,)]


def test_the_constraints_hold_on_sqlite_too_and_db_check_reports_them(cli: Cli) -> None:
    article = cli.new("Barangay hall reopens", "--body", "x")
    engine = engine_of(cli.db_url)
    try:
        for statement in (
            "UPDATE article SET status = 'bogus' WHERE id = :id",
            "UPDATE article SET slug = '../x' WHERE id = :id",
            "UPDATE article SET language = 'en us' WHERE id = :id",
            "INSERT INTO article_slug (article_id, slug) VALUES (:id, 'a/b/c')",
            "INSERT INTO correction (article_id, created_at, kind, text) VALUES (:id, '2026-01-01', 'bogus', 'x')",
            "INSERT INTO tag (name, slug) VALUES ('x', '.hidden')",
        ):
            with pytest.raises(IntegrityError, match="ck_"), engine.begin() as connection:
                connection.execute(text(statement), {"id": article})
        assert f"ok\tcheck constraints\t{check_constraint_count()} in place\n" in cli.ok("db", "check").stdout
        if engine.dialect.name == "postgresql":  # a database that lost one: `db check` names it
            with engine.begin() as connection:
                connection.execute(text("ALTER TABLE correction DROP CONSTRAINT ck_correction_kind"))
            checked = cli.fails(["db", "check"])
            assert "FAIL\tcheck constraints\tmissing: ck_correction_kind on correction" in checked.stdout
    finally:
        engine.dispose()


# ---------------------------------------------------------------- 1. the workflow's transitions


@on_postgresql
def test_no_role_moves_a_retracted_story_anywhere(desk: Desk, connect: Connect) -> None:
    for role in Role:
        article = int(desk.story(desk.names[role], "--status", "published"))
        desk.cli.ok("retract", str(article), "--reason", "Fabricated quotes.")
        connection = connect(role)
        for target in ("published", "draft", "scheduled", "review", "archived"):
            with pytest.raises(psycopg.Error) as caught:
                connection.execute("UPDATE article SET status = %s WHERE id = %s", (target, article))
            # A role that may not make such a change at all hears that first; the others meet the workflow.
            if role is C or (role is A and target == "archived"):
                assert isinstance(caught.value, psycopg.errors.InsufficientPrivilege), (role, target)
            else:
                assert isinstance(caught.value, psycopg.errors.CheckViolation), (role, target)
                assert f"cannot change status from retracted to {target} (allowed: none)" in str(caught.value)
        assert desk.sql("SELECT status FROM article WHERE id = :id", id=article) == [("retracted",)]
    result = desk.run(A, "publish", str(article))  # balita's own command refuses it in one line
    assert result.exit_code == 1 and "retracted" in result.stderr and "Traceback" not in result.stderr


@on_postgresql
def test_the_trigger_allows_exactly_the_workflows_moves(desk: Desk) -> None:
    """Every pair of statuses, tried by the owner (an admin): the database's table is TRANSITIONS."""
    article = int(desk.story("desk"))
    engine = engine_of(desk.cli.db_url)
    try:
        for old, new in itertools.permutations(Status, 2):
            with engine.connect() as connection:
                connection.execute(text("SET session_replication_role = replica"))  # place it, no triggers
                connection.execute(
                    text("UPDATE article SET status = :s WHERE id = :id"), {"s": old.value, "id": article}
                )
                connection.execute(text("SET session_replication_role = origin"))
                try:
                    with connection.begin_nested():
                        connection.execute(
                            text("UPDATE article SET status = :s WHERE id = :id"), {"s": new.value, "id": article}
                        )
                    moved = True
                except IntegrityError as exc:
                    assert f"cannot change status from {old.value} to {new.value}" in str(exc.orig)
                    moved = False
                connection.rollback()
            assert moved == (new in TRANSITIONS[old]), (old, new)
    finally:
        engine.dispose()


def test_sqlite_keeps_a_retracted_story_retracted_too(cli: Cli) -> None:
    article = cli.new("Barangay hall reopens", "--body", "x", "--status", "published")
    cli.ok("retract", str(article), "--reason", "Fabricated quotes.")
    engine = engine_of(cli.db_url)
    try:
        for target in ("published", "draft", "scheduled"):
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(text("UPDATE article SET status = :s WHERE id = :id"), {"s": target, "id": article})
        with engine.begin() as connection:
            assert connection.execute(text("SELECT status FROM article WHERE id = :id"), {"id": article}).one() == (
                "retracted",
            )
    finally:
        engine.dispose()
