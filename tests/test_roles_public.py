"""What a login gets without a role, and what a role reads (issue 28, item 6), on PostgreSQL through
psycopg as each login, around balita: PUBLIC runs none of balita's functions, makes no temporary
tables or large objects here and draws no ids; contributors and authors read their own e-mail
from ``setting``, not everyone's."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from balita_cli.db.dbapi import postgres_conninfo
from balita_cli.services.permissions import Role
from tests.helpers.database import on_postgres
from tests.helpers.roles import PASSWORD, Connect, Desk, denied, login_url

pytestmark = pytest.mark.skipif(not on_postgres(), reason="logins, grants and row-level security are PostgreSQL's")
C, A, E, ADMIN = Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR, Role.ADMIN


def disabled_login(desk: Desk) -> psycopg.Connection[Any]:
    """A connection as a login that was a contributor here and was disabled."""
    name = f"gone_{uuid.uuid4().hex[:8]}"
    password = desk.tmp_path / "pw"
    password.write_text(PASSWORD + "\n")
    desk.cli.ok("user", "add", name, "--role", "contributor", "--password-file", str(password))
    desk.cli.ok("user", "disable", name)
    desk.extra.append(name)
    return psycopg.connect(postgres_conninfo(login_url(desk.cli.db_url, name)) or "", autocommit=True)


def test_a_disabled_login_runs_nothing_of_balitas_and_makes_nothing(desk: Desk) -> None:
    functions = [
        name
        for (name,) in desk.sql(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
            "AND p.proname LIKE 'balita\\_%'"
        )
    ]
    assert {"balita_search_catch_up(integer)", "balita_role_of(text)", "balita_may(text,text,boolean)"} <= {
        name.replace(", ", ",") for name in functions
    }
    public = desk.sql(
        "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
        "AND p.proname LIKE 'balita\\_%' AND has_function_privilege('public', p.oid, 'EXECUTE')"
    )
    assert public == []
    gone = disabled_login(desk)
    # In the schema `public` every login may look (PostgreSQL's default); this test's own schema
    # is opened to the disabled login the same way, so each refusal below is the object's own.
    schema = desk.sql("SELECT current_schema()")[0][0]
    login = gone.info.user
    desk.sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{login}"')
    try:
        denied(gone, "SELECT balita_search_catch_up(1)")
        denied(gone, "SELECT balita_role_of('postgres')")
        denied(gone, "SELECT balita_may('admin', 'purge', true)")
        denied(gone, "CREATE TEMP TABLE t (x int)")
        denied(gone, "SELECT lo_create(0)")
        denied(gone, "SELECT lo_from_bytea(0, 'x')")
        denied(gone, "SELECT nextval('article_id_seq')")
        denied(gone, "SELECT key, value FROM setting")
    finally:
        gone.close()
        desk.sql(f'REVOKE USAGE ON SCHEMA "{schema}" FROM "{login}"')


def test_each_role_still_runs_what_balita_needs(desk: Desk, connect: Connect) -> None:
    for role in Role:
        connection = connect(role)
        row = connection.execute("SELECT balita_role_of(session_user), balita_may(%s, 'create', true)", (role.value,))
        assert row.fetchone() == (role.value, True)
        denied(connection, "CREATE TEMP TABLE t (x int)")
    article = desk.run(C, "new", "Barangay hall reopens", "--body", "Text.", "--porcelain")
    assert article.exit_code == 0, article.stderr
    assert desk.run(E, "publish", article.stdout.strip()).exit_code == 0


def test_contributors_and_authors_read_their_own_email_only(desk: Desk, connect: Connect) -> None:
    desk.sql("INSERT INTO setting (key, value, updated_at) VALUES ('review_seen', 'x', now())")
    everyone = {f"user:{desk.names[role]}" for role in Role}
    for role in Role:
        rows = connect(role).execute("SELECT key, value FROM setting").fetchall()
        keys = {key for key, _value in rows}
        assert "review_seen" in keys
        users = keys & everyone
        if role in (C, A):
            assert users == {f"user:{desk.names[role]}"}, (role, users)
            assert [value for key, value in rows if key.startswith("user:")] == [
                f"{('ana', 'ben')[role is A]}@balita.example.ph"
            ]
        else:
            assert users == everyone, role
    # The byline that makes a story hers still reads her own row.
    mine = desk.run(C, "new", "Mine", "--body", "x", "--porcelain").stdout.strip()
    assert desk.run(C, "edit", mine, "--title", "Still mine").exit_code == 0
    assert desk.run(ADMIN, "user", "list").exit_code == 0
