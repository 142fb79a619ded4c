"""Newsroom roles enforced by PostgreSQL itself: four login roles made with `balita user add`, each
connecting with its own URL; every command that writes, tried by each of them through the CLI; the
same refusals when a contributor goes around balita with psycopg; and who made a change comes from
the login, whatever BALITA_USER says.

The test server authenticates by trust, so the passwords given are stored (as SCRAM verifiers)
but not checked at login; what each login may do is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import Result

from balita_cli.services.permissions import RULES, Action, Role, allowed, changing
from tests.helpers.roles import PASSWORD, Connect, Desk, denied

pytestmark = pytest.mark.postgres(reason="roles are enforced by PostgreSQL")
C, A, E, ADMIN = Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR, Role.ADMIN


def refused(result: Result, desk: Desk, role: Role) -> None:
    """One clear line naming the role and what it lacks; exit 1; no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f"{role.plural} cannot " in lines[0] and f" — {desk.names[role]} is {role.with_article}" in lines[0]
    assert "Traceback" not in result.stderr and "psycopg" not in result.stderr


# ---------------------------------------------------------------- role × action through the CLI

Setup = Callable[[Desk, Role], list[str]]


def own(desk: Desk, role: Role, *flags: str) -> str:
    return desk.story(desk.names[role], *flags)


def others(desk: Desk, role: Role, *flags: str) -> str:
    return desk.story(desk.other(role), *flags)


def import_file(desk: Desk, _role: Role) -> list[str]:
    path = desk.tmp_path / "in.jsonl"
    path.write_text(json.dumps({"title": f"Imported {uuid.uuid4().hex[:6]}", "body": "x", "status": "draft"}) + "\n")
    return ["import", "jsonl", str(path)]


def due_story(desk: Desk, role: Role) -> list[str]:
    desk.story(desk.names[Role.EDITOR], "--status", "scheduled", "--at", "2030-01-01 08:00")
    return ["--clock", "2030-01-02 08:00", "publish", "--due"]


def photo(desk: Desk, _role: Role) -> list[str]:
    from PIL import Image

    path = desk.tmp_path / f"{uuid.uuid4().hex[:6]}.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(path)
    return ["media", "add", str(path)]


def term(desk: Desk, _role: Role) -> str:
    name = f"Term {uuid.uuid4().hex[:6]}"
    desk.cli.ok("tag", "add", desk.story("desk"), name)
    return name


def a_user(desk: Desk, _role: Role) -> str:
    name = f"new_{uuid.uuid4().hex[:8]}"
    desk.cli.ok("user", "add", name, "--role", "contributor", "--no-password")
    desk.extra.append(name)
    return name


def a_page(desk: Desk, *, edited: bool = False) -> str:
    """A page the owner wrote (and changed once, with ``edited``)."""
    page = desk.cli.ok("page", "new", f"Page {uuid.uuid4().hex[:6]}", "--body", "First.", "--porcelain").stdout.strip()
    if edited:
        desk.cli.ok("page", "edit", page, "--body", "Second.")
    return page


# (what is tried, the least role allowed to, how to set it up and which command it is)
TABLE: list[tuple[str, Role, Setup]] = [
    ("new draft", C, lambda d, r: ["new", "Draft", "--body", "x"]),
    ("new published", A, lambda d, r: ["new", "Straight out", "--body", "x", "--status", "published"]),
    ("new scheduled", A, lambda d, r: ["new", "Later", "--body", "x", "--status", "scheduled", "--at", "2099-01-01"]),
    ("edit own draft", C, lambda d, r: ["edit", own(d, r), "--title", "Mine, better"]),
    ("edit own in review", C, lambda d, r: ["edit", own(d, r, "--status", "review"), "--summary", "s"]),
    ("edit others' draft", E, lambda d, r: ["edit", others(d, r), "--title", "Not mine"]),
    ("edit own published", A, lambda d, r: ["edit", own(d, r, "--status", "published"), "--title", "Live"]),
    ("submit own draft", C, lambda d, r: ["submit", own(d, r)]),
    ("submit others' draft", E, lambda d, r: ["submit", others(d, r)]),
    ("tag own draft", C, lambda d, r: ["tag", "add", own(d, r), "Senate"]),
    ("tag others' draft", E, lambda d, r: ["tag", "add", others(d, r), "Senate"]),
    ("revert own draft", C, lambda d, r: ["revert", edited(d, d.names[r]), "--to", "1"]),
    ("publish own", A, lambda d, r: ["publish", own(d, r)]),
    ("schedule own", A, lambda d, r: ["publish", own(d, r), "--at", "2099-01-01 08:00"]),
    ("publish others'", E, lambda d, r: ["publish", others(d, r)]),
    ("unpublish own", A, lambda d, r: ["unpublish", own(d, r, "--status", "published")]),
    ("archive own", E, lambda d, r: ["archive", own(d, r, "--status", "published")]),
    ("correct own", A, lambda d, r: ["correct", own(d, r, "--status", "published"), "A name was misspelled."]),
    ("correct others'", E, lambda d, r: ["correct", others(d, r, "--status", "published"), "Fixed."]),
    ("retract own", E, lambda d, r: ["retract", own(d, r, "--status", "published"), "--reason", "Fabricated."]),
    ("trash own", E, lambda d, r: ["delete", own(d, r), "--yes"]),
    ("restore own", E, lambda d, r: ["restore", trashed(d, d.names[r])]),
    ("purge", ADMIN, lambda d, r: ["delete", own(d, r), "--purge", "--yes"]),
    ("publish what is due", E, due_story),
    ("import drafts", C, import_file),
    ("tag rename", E, lambda d, r: ["tag", "rename", term(d, r), f"Renamed {uuid.uuid4().hex[:6]}"]),
    ("tag merge", E, lambda d, r: ["tag", "merge", term(d, r), "--into", "Merged"]),
    ("tag delete", E, lambda d, r: ["tag", "delete", term(d, r), "--yes"]),
    ("section add", E, lambda d, r: ["section", "add", f"Section {uuid.uuid4().hex[:6]}"]),
    ("author add", E, lambda d, r: ["author", "add", f"Author {uuid.uuid4().hex[:6]}"]),
    ("source add", E, lambda d, r: ["source", "add", f"Outlet {uuid.uuid4().hex[:6]}", "https://news.example/feed"]),
    ("media add", E, photo),
    ("page new", E, lambda d, r: ["page", "new", f"Page {uuid.uuid4().hex[:6]}", "--body", "x"]),
    ("page edit", E, lambda d, r: ["page", "edit", a_page(d), "--body", "Changed."]),
    ("page revert", E, lambda d, r: ["page", "revert", a_page(d, edited=True), "--to", "1"]),
    ("page delete", E, lambda d, r: ["page", "delete", a_page(d), "--yes"]),
    ("user add", ADMIN, lambda d, r: ["user", "add", new_login(d), "--role", "editor", "--no-password"]),
    ("user role", ADMIN, lambda d, r: ["user", "role", a_user(d, r), "author"]),
    ("user disable", ADMIN, lambda d, r: ["user", "disable", a_user(d, r)]),
]


def new_login(desk: Desk) -> str:
    desk.extra.append(f"x_{uuid.uuid4().hex[:8]}")
    return desk.extra[-1]


def edited(desk: Desk, owner: str) -> str:
    article = desk.story(owner)
    desk.cli.ok("--as", owner, "edit", article, "--title", "Second thoughts")
    return article


def trashed(desk: Desk, owner: str) -> str:
    article = desk.story(owner)
    desk.cli.ok("delete", article, "--yes")
    return article


@pytest.mark.slow
@pytest.mark.parametrize(("what", "least", "setup"), TABLE, ids=[row[0] for row in TABLE])
def test_each_role_may_do_what_its_rules_say_and_nothing_else(desk: Desk, what: str, least: Role,
                                                              setup: Setup) -> None:  # fmt: skip
    outcomes = {}
    for role in Role:
        args = setup(desk, role)
        before = desk.digest()
        result = desk.run(role, *args)
        if role.rank >= least.rank:
            assert result.exit_code == 0, (what, role, result.stdout, result.stderr, result.exception)
        else:
            refused(result, desk, role)
            assert desk.digest() == before, f"{what}: refused for {role}, yet something was written"
        outcomes[role] = result.exit_code == 0
    assert outcomes == {role: role.rank >= least.rank for role in Role}


def test_a_contributor_submits_a_draft_and_an_editor_takes_it_from_review(desk: Desk) -> None:
    created = desk.run(C, "new", "Barangay hall reopens", "--body", "Text.", "--porcelain")
    article = created.stdout.strip()
    assert desk.run(C, "submit", article).stderr == f"Submitted {article} (barangay-hall-reopens) for review\n"
    assert desk.run(C, "edit", article, "--summary", "Reopened on Monday.").exit_code == 0  # still theirs in review
    refused(desk.run(C, "publish", article), desk, C)
    waiting = json.loads(desk.run(E, "list", "--status", "review", "--format", "json").stdout)
    assert [story["id"] for story in waiting] == [int(article)]
    assert desk.run(E, "publish", article).exit_code == 0
    history = json.loads(desk.run(E, "history", article, "--format", "json").stdout)
    assert [(entry["note"], entry["changed_by"]) for entry in history][1:3] == [
        ("", desk.names[C]),
        ("submitted for review", desk.names[C]),
    ]


def test_the_refusal_names_the_role_and_who_to_ask(desk: Desk) -> None:
    article = own(desk, C)
    result = desk.run(C, "publish", article)
    assert result.stderr == f"error: contributors cannot publish; ask an editor — {desk.names[C]} is a contributor\n"
    result = desk.run(A, "publish", others(desk, A))
    assert result.stderr.startswith("error: authors cannot publish other people's stories; ask an editor — ")


# ---------------------------------------------------------------- around balita, straight to the database


def test_a_contributor_going_around_balita_is_refused_by_the_database(desk: Desk, connect: Connect) -> None:
    mine = int(own(desk, C))
    theirs = int(others(desk, C, "--tag", "Senate"))
    desk.cli.ok("--as", desk.names[C], "edit", str(mine), "--title", "Second version")
    ana = connect(C)
    assert "may not publish" in denied(ana, "UPDATE article SET status = 'published' WHERE id = %s", mine)
    assert "may not edit" in denied(ana, "UPDATE article SET title = 'Mine now' WHERE id = %s", theirs)
    denied(ana, "DELETE FROM revision WHERE article_id = %s", mine)
    denied(ana, "UPDATE revision SET changed_by = 'someone else' WHERE article_id = %s", mine)
    denied(ana, "UPDATE correction SET text = 'x'")
    denied(ana, "DELETE FROM article WHERE id = %s", mine)
    denied(ana, "TRUNCATE article CASCADE")
    denied(ana, "UPDATE article SET deleted_at = now() WHERE id = %s", mine)
    denied(ana, "UPDATE article SET scheduled_at = now() + interval '1 day', status = 'scheduled' WHERE id = %s", mine)
    # Rows hanging off someone else's story: the byline (ownership!), tags, a forged revision.
    made = ana.execute("INSERT INTO author (name, slug, email, bio) VALUES ('Ana', 'ana-x', '', '') RETURNING id")
    row = made.fetchone()
    assert row is not None
    author_id = row[0]
    denied(ana, "INSERT INTO article_author (article_id, author_id, position) VALUES (%s, %s, 0)", theirs, author_id)
    assert ana.execute("DELETE FROM article_tag WHERE article_id = %s", (theirs,)).rowcount == 0  # none is hers
    denied(ana, "INSERT INTO revision (article_id, version, created_at, changed_by, note, snapshot) "
                "VALUES (%s, 99, now(), 'x', 'forged', '{}')", theirs)  # fmt: skip
    denied(ana, "UPDATE author SET email = 'cora@balita.example.ph'")
    denied(ana, "UPDATE setting SET value = 'cora@balita.example.ph'")
    denied(ana, f'SET ROLE "{desk.sql("SELECT balita_group(:r)", r="editor")[0][0]}"')
    denied(ana, "SELECT balita_user_role(%s, 'admin')", desk.names[C])
    # No temporary table can stand in for the byline the ownership check reads: she may make none
    # (the migrations run as a superuser here; tests/test_roles_public.py).
    denied(ana, "CREATE TEMP TABLE article_author (article_id int, author_id int, position int)")
    # What she may do, the database stamps with her login whatever she writes.
    ana.execute("UPDATE article SET title = 'Honest edit', created_by = 'cora', updated_by = 'cora' WHERE id = %s",
                (mine,))  # fmt: skip
    forged = (
        "INSERT INTO revision (article_id, version, created_at, changed_by, note, snapshot) "
        "VALUES (%s, %s, now(), 'cora', 'by hand', '{}')"
    )
    denied(ana, forged, mine, 50)  # a version the story has not reached (tests/test_roles_record.py)
    ana.execute("UPDATE article SET version = 3 WHERE id = %s", (mine,))
    ana.execute(forged, (mine, 3))
    stamped = desk.sql("SELECT a.created_by, a.updated_by, r.changed_by FROM article a JOIN revision r "
                       "ON r.article_id = a.id AND r.version = 3 WHERE a.id = :id", id=mine)  # fmt: skip
    assert stamped == [(desk.names[C], desk.names[C], desk.names[C])]
    # Nothing of the refused attempts stuck.
    assert desk.sql("SELECT status FROM article WHERE id = :id", id=theirs) == [("draft",)]
    assert desk.cli.json("show", str(theirs), "--format", "json")["tags"] == ["Senate"]
    assert desk.sql("SELECT count(*) FROM revision WHERE article_id = :id", id=mine) == [(2,)]


def test_an_editor_going_around_balita_still_cannot_rewrite_history_or_purge(desk: Desk, connect: Connect) -> None:
    article = int(others(desk, E))
    desk.cli.ok("edit", str(article), "--title", "Edited once")
    cora = connect(E)
    cora.execute("UPDATE article SET status = 'published', published_at = now() WHERE id = %s", (article,))
    denied(cora, "UPDATE revision SET changed_by = 'nobody' WHERE article_id = %s", article)
    denied(cora, "DELETE FROM revision WHERE article_id = %s", article)
    denied(cora, "DELETE FROM article WHERE id = %s", article)
    dado = connect(ADMIN)  # an admin by membership: the only one who may
    dado.execute("UPDATE revision SET note = 'admin note' WHERE article_id = %s", (article,))
    dado.execute("DELETE FROM article WHERE id = %s", (article,))
    assert desk.sql("SELECT count(*) FROM article WHERE id = :id", id=article) == [(0,)]


def test_only_editors_and_admins_write_pages_even_around_balita(desk: Desk, connect: Connect) -> None:
    page = int(desk.cli.ok("page", "new", "Privacy", "--body", "No cookies.", "--porcelain").stdout.strip())
    desk.cli.ok("page", "edit", str(page), "--body", "No cookies, no trackers.")
    for role in (C, A):
        login = connect(role)
        assert login.execute("SELECT title FROM page WHERE id = %s", (page,)).fetchall() == [("Privacy",)]
        denied(login, "UPDATE page SET body = 'Ours now' WHERE id = %s", page)
        denied(login, "INSERT INTO page (slug, title, version, created_at, updated_at) "
                      "VALUES ('fake', 'Fake', 1, now(), now())")  # fmt: skip
        denied(login, "DELETE FROM page WHERE id = %s", page)
        denied(login, "TRUNCATE page CASCADE")
        denied(login, "INSERT INTO page_revision (page_id, version, created_at, snapshot) VALUES (%s, 9, now(), '{}')",
               page)  # fmt: skip
        denied(login, "UPDATE page_revision SET note = 'forged' WHERE page_id = %s", page)
    created_by = desk.sql("SELECT created_by FROM page WHERE id = :id", id=page)[0][0]
    cora = connect(E)  # an editor writes pages, under her own name, but not their history
    cora.execute("UPDATE page SET summary = 'What we keep', created_by = 'x', updated_by = 'x' WHERE id = %s",
                 (page,))  # fmt: skip
    assert desk.sql("SELECT created_by, updated_by FROM page WHERE id = :id", id=page) == [(created_by, desk.names[E])]
    cora.execute("INSERT INTO page_revision (page_id, version, created_at, changed_by, snapshot) "
                 "VALUES (%s, 40, now(), 'someone else', '{}')", (page,))  # fmt: skip
    assert desk.sql("SELECT changed_by FROM page_revision WHERE page_id = :id AND version = 40", id=page) == [
        (desk.names[E],)
    ]
    denied(cora, "UPDATE page_revision SET note = 'forged' WHERE page_id = %s", page)
    denied(cora, "DELETE FROM page_revision WHERE page_id = %s", page)
    connect(ADMIN).execute("UPDATE page_revision SET note = 'admin note' WHERE page_id = %s", (page,))
    assert desk.sql("SELECT body, summary FROM page WHERE id = :id", id=page) == [
        ("No cookies, no trackers.", "What we keep")
    ]
    assert {note for (note,) in desk.sql("SELECT note FROM page_revision WHERE page_id = :id", id=page)} == {
        "admin note"
    }
    refused(desk.run(C, "page", "edit", str(page), "--title", "Mine"), desk, C)
    assert desk.run(C, "page", "edit", str(page), "--title", "Mine").stderr.startswith(
        "error: contributors cannot write the site's pages; ask an editor"
    )


# The database's own classification of every change, for every role, against permissions.changing.
CHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("draft", "status = 'review'", {"status": "review"}),
    ("draft", "title = 'New title'", {"title": "New title"}),
    ("draft", "status = 'published', published_at = now()", {"status": "published"}),
    ("draft", "status = 'scheduled', scheduled_at = now() + interval '1 day'", {"status": "scheduled"}),
    ("draft", "status = 'archived'", {"status": "archived"}),
    ("draft", "deleted_at = now()", {"deleted_at": "2026-01-01T00:00:00+00:00"}),
    ("published", "title = 'New title'", {"title": "New title"}),
    ("published", "status = 'draft'", {"status": "draft"}),
    ("published", "status = 'retracted', retraction_reason = 'why'", {"status": "retracted"}),
    ("published", "status = 'archived'", {"status": "archived"}),
    ("published", "published_at = now() - interval '1 day'", {"published_at": "2020-01-01T00:00:00+00:00"}),
    ("review", "status = 'draft'", {"status": "draft"}),
]


@pytest.mark.slow
@pytest.mark.parametrize("mine", [True, False], ids=["own", "others'"])
def test_the_database_and_balita_agree_on_every_change_for_every_role(desk: Desk, connect: Connect, mine: bool) -> None:
    from datetime import datetime

    import psycopg

    for role in (C, A, E):
        connection = connect(role)
        for status, assignment, values in CHANGES:
            owner = desk.names[role] if mine else desk.other(role)
            article = int(desk.story(owner, "--status", status, *(["--at", "2020-01-01"] if status != "draft"
                                                                    and status != "review" else [])))  # fmt: skip
            before = {"status": status, "published_at": "2020-01-01T00:00:00+08:00" if status == "published" else None}
            typed = {k: datetime.fromisoformat(v) if k.endswith("_at") else v for k, v in values.items()}
            expected = allowed(role, changing(before, typed), own=mine)
            try:
                connection.execute(f"UPDATE article SET {assignment} WHERE id = %s", (article,))  # noqa: S608
                done = True
            except psycopg.errors.InsufficientPrivilege:
                done = False
            assert done == expected, (role, status, assignment, mine)


def test_the_rules_in_the_database_are_the_rules_in_balita(desk: Desk) -> None:
    rows = desk.sql("SELECT r, a, o, balita_may(r, a, o) FROM unnest(CAST(:roles AS text[])) AS r, "
                    "unnest(CAST(:actions AS text[])) AS a, unnest(ARRAY[true, false]) AS o",
                    roles=[r.value for r in Role], actions=[a.value for a in Action])  # fmt: skip
    assert len(rows) == len(Role) * len(RULES) * 2
    for role, action, is_own, may in rows:
        assert may == allowed(Role(role), Action(action), own=is_own), (role, action, is_own)


def test_a_refusal_from_the_database_reads_like_balitas(desk: Desk, connect: Connect) -> None:
    import psycopg

    from balita_cli.services.permissions import Identity, explain

    ana = Identity(desk.names[C], C)
    attempts = {
        "DELETE FROM revision": f"contributors cannot change the editorial record (revisions and corrections); "
        f"ask an admin — {desk.names[C]} is a contributor",
        "INSERT INTO photo (sha256, format, width, height, size, created_at) VALUES ('x', 'png', 1, 1, 1, now())":
            f"contributors cannot manage the photo library; ask an editor — {desk.names[C]} is a contributor",
        f"UPDATE article SET status = 'published' WHERE id = {int(own(desk, C))}":
            f"contributors cannot publish; ask an editor — {desk.names[C]} is a contributor",
    }  # fmt: skip
    connection = connect(C)
    for statement, line in attempts.items():
        with pytest.raises(psycopg.Error) as caught:
            connection.execute(statement)
        refusal = explain(caught.value, lambda: ana)
        assert refusal is not None and refusal.message == line


# ---------------------------------------------------------------- who did it


def test_history_names_the_logins_whatever_balita_user_says(desk: Desk) -> None:
    lie = {"BALITA_USER": "someone-else"}
    article = desk.run(C, "new", "Three hands", "--body", "v1", "--porcelain", env=lie).stdout.strip()
    assert desk.run(C, "edit", article, "--body", "v2", "-m", "draft two", env=lie).exit_code == 0
    assert desk.run(E, "edit", article, "--body", "v3", "-m", "copy edit", env=lie).exit_code == 0
    assert desk.run(E, "publish", article, env=lie).exit_code == 0
    assert desk.run(ADMIN, "edit", article, "--summary", "s", "-m", "admin's own", env={}).exit_code == 0
    entries = desk.cli.json("history", article, "--format", "json")
    assert [entry["changed_by"] for entry in entries] == [
        desk.names[ADMIN],
        desk.names[E],
        desk.names[E],
        desk.names[C],
        desk.names[C],
    ]
    shown = desk.cli.json("show", article, "--format", "json")
    assert shown["updated_by"] == desk.names[ADMIN]


def test_as_is_refused_unless_the_login_is_an_admin(desk: Desk) -> None:
    result = desk.run(E, "--as", "publisher", "new", "Under another name", "--body", "x")
    assert result.exit_code == 1 and result.stderr.startswith("error: --as is for admins on PostgreSQL")
    assert desk.run(E, "--as", desk.names[E], "new", "Under my own name", "--body", "x").exit_code == 0
    made = desk.run(ADMIN, "--as", "the desk", "new", "Filed by the desk", "--body", "x", "--porcelain")
    assert desk.cli.json("history", made.stdout.strip(), "--format", "json")[0]["changed_by"] == "the desk"
    assert desk.run(E, "list").exit_code == 0  # --as only matters to what writes


def test_whoami_names_the_login_and_role(desk: Desk) -> None:
    for role in Role:
        shown = json.loads(desk.run(role, "whoami", "--format", "json").stdout)
        assert shown["user"] == desk.names[role] and shown["role"] == role.value and shown["enforced"] is True
        assert PASSWORD not in shown["database"] and f"{desk.names[role]}:***@" in shown["database"]
    owner = desk.cli.ok("whoami").stdout
    assert "user\tpostgres\n" in owner and "role\tadmin\n" in owner


# ---------------------------------------------------------------- users


def test_users_are_listed_with_role_and_last_change_and_can_be_moved_and_disabled(desk: Desk) -> None:
    article = desk.run(C, "new", "By Ana", "--body", "x", "--porcelain").stdout.strip()
    listed = {user["name"]: user for user in desk.cli.json("user", "list", "--format", "json")}
    assert {listed[name]["role"] for name in desk.names.values()} == {role.value for role in Role}
    assert listed[desk.names[C]]["last_change_at"] and listed[desk.names[E]]["last_change_at"] is None
    assert listed[desk.names[C]]["email"] == "ana@balita.example.ph"
    table = desk.cli.ok("user", "list").stdout.splitlines()
    assert table[0].split("\t") == ["name", "role", "email", "last_change_at"]

    desk.cli.ok("user", "role", desk.names[C], "author")
    assert desk.run(C, "publish", article).exit_code == 0  # an author now: her own story goes out
    desk.cli.ok("user", "disable", desk.names[C])
    result = desk.run(C, "list")
    assert result.exit_code == 1 and "has no role in this newsroom" in result.stderr
    assert {u["name"]: u["role"] for u in desk.cli.json("user", "list", "--format", "json")}[
        desk.names[C]
    ] == "disabled"
    desk.cli.ok("user", "role", desk.names[C], "contributor")
    assert desk.run(C, "list", "--format", "count").stdout == "1\n"


def test_a_byline_with_the_users_email_makes_the_story_theirs(desk: Desk) -> None:
    desk.cli.ok("author", "add", "Ben Santos", "--email", "BEN@balita.example.ph")
    bylined = desk.story(desk.names[E], "--author", "Ben Santos")
    not_bylined = desk.story(desk.names[E])
    assert desk.run(A, "publish", bylined).exit_code == 0
    refused(desk.run(A, "publish", not_bylined), desk, A)


def test_passwords_are_stored_as_scram_verifiers_made_on_the_client(desk: Desk) -> None:
    secrets = desk.sql("SELECT rolpassword FROM pg_authid WHERE rolname = :n", n=desk.names[C])
    assert secrets[0][0].startswith("SCRAM-SHA-256$4096:") and PASSWORD not in secrets[0][0]
    with pytest.raises(Exception, match="SCRAM-SHA-256 verifier"):
        desk.sql("SELECT balita_user_add('plain_pw', 'editor', 'hunter2hunter2', '')")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "Robert'); DROP TABLE article;--", "--role", "editor", "--no-password"], "not a user name"),
        (["user", "add", "pg_signal_backend", "--role", "editor", "--no-password"], "not a user name"),
        (["user", "add", "x" * 64, "--role", "editor", "--no-password"], "not a user name"),
        (["user", "add", "postgres", "--role", "contributor", "--no-password"], "superuser or a group"),
        (["user", "add", "pg_database_owner", "--role", "contributor", "--no-password"], "not a user name"),
        (["user", "role", "postgres", "contributor"], "superuser or a group"),
        (["user", "disable", "nobody_here"], "not a user of this newsroom"),
        (["user", "add", "shortpw", "--role", "editor", "--password-file", "short.pw"], "at least 8 characters"),
        (["user", "add", "nopw", "--role", "editor", "--password-file", "missing.pw"], "cannot read password file"),
        (["user", "add", "bad_mail", "--role", "editor", "--no-password", "--email", "a b@c"], "not an e-mail"),
        (["user", "add", "no_tty", "--role", "editor"], "no terminal to ask for a password on"),
    ],
)
def test_hostile_user_input_is_refused_in_one_line(desk: Desk, args: list[str], message: str) -> None:
    (desk.tmp_path / "short.pw").write_text("abc\n")
    before = desk.digest()
    result = desk.cli(*args)
    assert result.exit_code in (1, 2) and message in result.stderr, (result.stderr, result.exception)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert desk.digest() == before
    assert desk.sql("SELECT count(*) FROM article") is not None  # the table is still there


def test_an_existing_login_joins_without_its_password_changing(desk: Desk) -> None:
    name = f"shared_{uuid.uuid4().hex[:8]}"
    desk.sql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD 'kept-from-before'")
    try:
        before = desk.sql("SELECT rolpassword FROM pg_authid WHERE rolname = :n", n=name)
        result = desk.cli("user", "add", name, "--role", "author", "--password-file", str(desk.tmp_path / "pw"))
        assert result.exit_code == 1 and "add it with --no-password" in result.stderr
        assert "existing login" in desk.cli.ok("user", "add", name, "--role", "author", "--no-password").stderr
        assert desk.sql("SELECT rolpassword FROM pg_authid WHERE rolname = :n", n=name) == before
        again = desk.cli("user", "add", name, "--role", "editor", "--no-password")
        assert again.exit_code == 1 and "is a user here already (author)" in again.stderr
    finally:
        desk.sql(f'DROP ROLE IF EXISTS "{name}"')


# ---------------------------------------------------------------- the migration


def test_downgrading_0004_removes_everything_it_added(desk: Desk) -> None:
    from balita_cli.db.engine import create_db_engine
    from balita_cli.db.migrate import downgrade, upgrade

    groups = [row[0] for row in desk.sql("SELECT balita_group(r) FROM unnest(ARRAY['contributor', 'author', "
                                         "'editor', 'admin']) AS r")]  # fmt: skip
    engine = create_db_engine(desk.cli.db_url)
    try:
        downgrade(engine, "0003")
        left = {
            "functions": "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname LIKE 'balita%'",
            "triggers": "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND t.tgname LIKE 'balita%'",
            "policies": "SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()",
            "row security": "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relrowsecurity",
            "grants": "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relacl::text LIKE '%balita_%'",
            "schema grants": "SELECT count(*) FROM pg_namespace WHERE nspname = current_schema() "
            "AND nspacl::text LIKE '%balita_%'",
            "default privileges": "SELECT count(*) FROM pg_default_acl d JOIN pg_namespace n "
            "ON n.oid = d.defaclnamespace WHERE n.nspname = current_schema()",
            "groups": f"SELECT count(*) FROM pg_roles WHERE rolname IN ({', '.join(repr(g) for g in groups)})",
            "users' rows": "SELECT count(*) FROM setting WHERE key LIKE 'user:%'",
        }
        found = {name: desk.sql(sql)[0][0] for name, sql in left.items()}
        assert found == dict.fromkeys(left, 0)
        assert desk.sql("SELECT count(*) FROM pg_roles WHERE rolname = :n", n=desk.names[C]) == [(1,)]  # logins stay
        upgrade(engine)
    finally:
        engine.dispose()
    desk.cli.ok("user", "add", desk.names[C], "--role", "contributor", "--no-password")  # an existing login now
    refused(desk.run(C, "publish", own(desk, C)), desk, C)


def test_several_newsrooms_on_one_server_have_their_own_groups(desk: Desk) -> None:
    import runpy

    from balita_cli.db.migrate import VERSIONS_DIR

    schema = desk.sql("SELECT current_schema()")[0][0]
    assert desk.sql("SELECT balita_group('editor')")[0][0] == f"balita_balita_test_{schema}_editor"
    migration = runpy.run_path(str(VERSIONS_DIR / "0004_roles.py"))
    group_prefix = migration["group_prefix"]
    assert group_prefix("balita", "public") == "balita_balita"
    assert group_prefix("news-room", "public") != group_prefix("news_room", "public")
    assert group_prefix("Newsroom", "public") != group_prefix("newsroom", "public")
    assert len(group_prefix("n" * 63, "s" * 63) + "_contributor") <= 63
    assert group_prefix('x"; DROP ROLE postgres; --', "public").replace("_", "").isalnum()
