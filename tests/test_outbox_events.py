"""The outbox: every change readers can see is one event, recorded by the database in the change's
own transaction, whichever road made it (commands, the due run, imports, review, another login's
SQL); nothing else is one, and no role can write or remove events by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from balita_cli.db import dbapi
from balita_cli.services import events
from balita_cli.services.permissions import Role
from balita_cli.workflow import EventKind
from tests.helpers.cli import Cli
from tests.helpers.database import on_postgres
from tests.helpers.roles import Connect, Desk, denied


def kinds(cli: Cli, article: int | None = None) -> list[str]:
    with dbapi.reading(cli.db_url) as db:
        found = events.since(db, articles=[article] if article else [], limit=None)
    return [event.kind.value for event in found]


def all_events(cli: Cli) -> list[events.Event]:
    with dbapi.reading(cli.db_url) as db:
        return events.since(db, limit=None)


def test_a_storys_life_is_its_events_in_order(cli: Cli) -> None:
    story = cli.new("Flood in Marikina", "--body", "Water rose.")
    cli.ok("edit", str(story), "--title", "Flood in Marikina City")  # a draft: nobody sees it
    cli.ok("publish", str(story))
    cli.ok("edit", str(story), "--title", "Floods in Marikina City")
    cli.ok("edit", str(story), "--tag", "Weather")  # the byline and tags are what readers see too
    cli.ok("edit", str(story), "--note", "check the river level")  # never published: no event
    cli.ok("correct", str(story), "The river's name was misspelled.")
    cli.ok("retract", str(story), "--reason", "The photo was of another flood.")
    found = all_events(cli)
    assert [e.kind.value for e in found] == ["published", "updated", "updated", "corrected", "retracted"]
    assert [e.seq for e in found] == [1, 2, 3, 4, 5]
    assert [e.title for e in found][1:] == ["Floods in Marikina City"] * 4
    assert found[3].notice == "The river's name was misspelled."
    assert found[4].notice == "The photo was of another flood." and found[4].status == "retracted"
    versions = [e.version for e in found]
    assert versions == sorted(versions) and len(set(versions)) == 5
    assert len({e.uid for e in found}) == 5 and all(len(e.uid) == 32 for e in found)


def test_leaving_and_coming_back(cli: Cli) -> None:
    story = cli.new("Typhoon signal raised", "--body", "x", "--status", "published")
    cli.ok("unpublish", str(story))
    cli.ok("edit", str(story), "--title", "Typhoon signal no. 2 raised")  # back in the newsroom
    cli.ok("publish", str(story))
    cli.ok("archive", str(story))
    cli.ok("edit", str(story), "--summary", "An archived page still shows what it says.")
    cli.ok("publish", str(story))
    cli.ok("delete", str(story), "--yes")
    cli.ok("restore", str(story))
    cli.ok("delete", str(story), "--yes")
    cli.ok("delete", str(story), "--purge", "--yes")  # already out of sight: nothing more
    other = cli.new("Gone for good", "--body", "x", "--status", "published")
    cli.ok("delete", str(other), "--purge", "--yes")
    newest = cli.new("After the purge", "--body", "x", "--status", "published")
    assert newest not in (story, other)  # an id is never given twice
    assert kinds(cli, story) == [
        *("published", "unpublished", "published", "archived", "updated", "published"),
        *("deleted", "restored", "deleted"),
    ]
    assert kinds(cli, other) == ["published", "deleted"]  # the story is gone; its events stay


def test_what_readers_never_saw_makes_no_event(cli: Cli) -> None:
    story = cli.new("Budget hearing", "--body", "x")
    cli.ok("submit", str(story))
    cli.ok("publish", str(story), "--at", "2031-01-05 08:00")
    cli.ok("edit", str(story), "--title", "Budget hearing resumes", "--tag", "Senate")
    cli.ok("correct", str(story), "A draft's correction is not news.")
    cli.ok("unpublish", str(story))
    cli.ok("delete", str(story), "--yes")
    assert kinds(cli, story) == []


def test_a_change_that_fails_leaves_no_event(cli: Cli) -> None:
    story = cli.new("Rally at Mendiola", "--body", "x", "--status", "published")
    cli.fails(["edit", str(story), "--title", "Rally at Mendiola Bridge", "--expires", "2001-01-01"])
    assert kinds(cli, story) == ["published"]


def test_the_due_run_dates_each_event_by_balitas_clock(cli: Cli) -> None:
    first = cli.new("Morning briefing", "--body", "x")
    second = cli.new("Noon briefing", "--body", "x", "--expires", "2030-01-02 09:00")
    cli.ok("publish", str(first), "--at", "2030-01-01 06:00")
    cli.ok("publish", str(second), "--at", "2030-01-01 12:00")
    cli.ok("--clock", "2030-01-01 13:00", "publish", "--due")
    cli.ok("--clock", "2030-01-02 10:00", "publish", "--due")
    found = all_events(cli)
    assert [(e.article_id, e.kind.value) for e in found] == [
        (first, "published"),
        (second, "published"),
        (second, "archived"),
    ]
    assert found[0].at == datetime(2030, 1, 1, 5, 0, tzinfo=UTC)  # 13:00 in Manila
    assert found[2].at == datetime(2030, 1, 2, 2, 0, tzinfo=UTC)
    assert found[0].published_at == datetime(2029, 12, 31, 22, 0, tzinfo=UTC)  # as scheduled


def test_an_import_publishes_once_and_its_old_notices_are_not_news(cli: Cli, tmp_path: Path) -> None:
    notice = {"kind": "correction", "text": "Fixed a date.", "created_at": "2024-03-02T08:00:00+08:00"}
    rows = [
        {
            "title": "Imported with a past",
            "body": "x",
            "status": "published",
            "published_at": "2024-03-01T08:00:00+08:00",
            "corrections": [notice],
            "tags": ["Archive"],
            "authors": ["Maria Santos"],
        },
        {"title": "Imported draft", "body": "x", "status": "draft"},
        {"title": "Imported retraction", "body": "x", "status": "retracted", "published_at": "2024-03-01T08:00:00Z"},
        {"title": "Imported archive", "body": "x", "status": "archived", "corrections": [notice], "tags": ["Old"]},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    cli.ok("import", "jsonl", str(source))
    found = all_events(cli)
    assert [(e.title, e.kind.value) for e in found] == [("Imported with a past", "published")]
    story = found[0].article_id
    cli.ok("correct", str(story), "A new correction is news.")
    assert kinds(cli, story) == ["published", "corrected"]


def test_review_accept_publishes_through_the_same_outbox(cli: Cli) -> None:
    story = cli.new("From the wire", "--body", "x", "--status", "review")
    cli.ok("review", "accept", str(story), "--publish")
    assert kinds(cli, story) == ["published"]


def test_since_reads_what_a_digest_needs(cli: Cli) -> None:
    early = cli.new("Early", "--body", "x")
    late = cli.new("Late", "--body", "x")
    cli.ok("--clock", "2030-03-01 08:00", "publish", str(early))
    cli.ok("--clock", "2030-03-02 08:00", "publish", str(late))
    cli.ok("--clock", "2030-03-02 09:00", "correct", str(early), "A figure was wrong.")
    cli.ok("--clock", "2030-03-02 10:00", "edit", str(late), "--title", "Later")
    with dbapi.reading(cli.db_url) as db:
        wanted = [EventKind.PUBLISHED, EventKind.CORRECTED, EventKind.RETRACTED]
        day = events.since(db, datetime(2030, 3, 1, 16, tzinfo=UTC), kinds=wanted)
        one = events.find(db, day[0].public_id)
        payload = events.payload(one, "https://balita.example.ph/", datetime.now().astimezone().tzinfo or UTC)
    assert [(e.article_id, e.kind.value) for e in day] == [(late, "published"), (early, "corrected")]
    assert one == day[0] and payload["type"] == "article.published"
    assert payload["data"]["article"]["url"] == "https://balita.example.ph/articles/late/"
    assert "actor" not in json.dumps(payload) and "by" not in payload["data"]


# ---------------------------------------------------------------- PostgreSQL: any road, no forgery

postgres_only = pytest.mark.skipif(not on_postgres(), reason="logins and roles are PostgreSQL's")


@postgres_only
def test_another_logins_sql_makes_the_same_events(desk: Desk, connect: Connect) -> None:
    editor = connect(Role.EDITOR)
    story = int(desk.story(desk.names[Role.AUTHOR], "--status", "published"))
    editor.execute("UPDATE article SET title = 'Edited by hand' WHERE id = %s", (story,))
    editor.execute("UPDATE article SET status = 'retracted', retraction_reason = 'By hand.' WHERE id = %s", (story,))
    found = [(e.kind.value, e.title, e.notice) for e in all_events(desk.cli) if e.article_id == story]
    assert found[1:] == [("updated", "Edited by hand", ""), ("retracted", "Edited by hand", "By hand.")]
    assert found[0][0] == "published"


@postgres_only
def test_an_author_publishing_their_own_story_records_its_event(desk: Desk) -> None:
    story = desk.run(Role.AUTHOR, "new", "Author's own", "--body", "x", "--porcelain").stdout.strip()
    assert desk.run(Role.AUTHOR, "publish", story).exit_code == 0
    found = [e for e in all_events(desk.cli) if e.article_id == int(story)]
    assert [(e.kind.value, e.actor) for e in found] == [("published", desk.names[Role.AUTHOR])]


@postgres_only
@pytest.mark.parametrize("role", list(Role))
def test_no_role_can_forge_or_remove_events(desk: Desk, connect: Connect, role: Role) -> None:
    story = int(desk.story("desk", "--status", "published"))
    connection = connect(role)
    assert connection.execute("SELECT count(*) FROM event WHERE article_id = %s", (story,)).fetchone() == (1,)
    forged = (
        "INSERT INTO event (uid, article_id, seq, kind, at, version, status, slug, title, language) "
        "VALUES ('forged', %s, 9, 'retracted', now(), 1, 'retracted', 'x', 'x', 'en')"
    )
    denied(connection, forged, story)
    denied(connection, "UPDATE event SET kind = 'retracted' WHERE article_id = %s", story)
    denied(connection, "DELETE FROM event WHERE article_id = %s", story)
    denied(connection, "TRUNCATE event")
    recorded = "SELECT balita_event_record(a, 'retracted', 'forged', now()) FROM article a WHERE id = %s"
    denied(connection, recorded, story)
    assert desk.sql("SELECT kind FROM event WHERE article_id = :id", id=story) == [("published",)]


@postgres_only
@pytest.mark.parametrize("role", list(Role))
def test_only_editors_and_admins_see_destinations_and_deliveries(desk: Desk, connect: Connect, role: Role) -> None:
    connection = connect(role)
    for table in ("destination", "delivery"):
        if role in (Role.EDITOR, Role.ADMIN):
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)  # noqa: S608
        else:
            denied(connection, f"SELECT count(*) FROM {table}")  # noqa: S608
