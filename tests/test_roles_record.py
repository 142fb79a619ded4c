"""The editorial record below admins (issue 28, item 3), on PostgreSQL as each login through
psycopg, around balita: a story's creation time is fixed once written, a revision is numbered
with a version the story has reached (a forged one ahead would break the next edit), and a
notice is not dated before the story was made. Admins may still correct the record."""

from __future__ import annotations

import pytest

from balita_cli.services.permissions import Role
from tests.helpers.database import on_postgres
from tests.helpers.roles import Connect, Desk, denied

pytestmark = pytest.mark.skipif(not on_postgres(), reason="roles and their logins are PostgreSQL's")
C, A, E, ADMIN = Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR, Role.ADMIN
FORGED = (
    "INSERT INTO revision (article_id, version, created_at, changed_by, note, snapshot) "
    "VALUES (%s, %s, now(), 'x', 'forged', '{}')"
)
NOTICE = "INSERT INTO correction (article_id, created_at, kind, text) VALUES (%s, %s, 'correction', 'x')"


def test_below_admins_the_record_cannot_be_forged(desk: Desk, connect: Connect) -> None:
    for role in (C, A, E):
        connection = connect(role)
        article = int(desk.story(desk.names[role]))
        assert "may not change when story" in denied(
            connection, "UPDATE article SET created_at = '1999-01-01' WHERE id = %s", article
        )
        assert "has not reached that version" in denied(connection, FORGED, article, 7)
        assert "has not reached that version" in denied(connection, FORGED, article, 1)
    # What an edit's record looks like is still written: balita's own edit, by a contributor.
    mine = desk.story(desk.names[C])
    assert desk.run(C, "edit", mine, "--title", "Second thoughts").exit_code == 0
    assert desk.run(C, "edit", mine, "--title", "Third thoughts").exit_code == 0
    assert desk.sql("SELECT version FROM revision WHERE article_id = :id ORDER BY version", id=int(mine)) == [
        (2,),
        (3,),
    ]


def test_an_author_cannot_backdate_a_notice_and_balitas_own_goes_through(desk: Desk, connect: Connect) -> None:
    article = int(desk.story(desk.names[A], "--status", "published"))
    ben = connect(A)
    assert "cannot be dated before the story was made" in denied(ben, NOTICE, article, "1999-01-01")
    correct = desk.run(A, "correct", str(article), "A name was misspelled.")
    assert correct.exit_code == 0, correct.stderr
    assert desk.sql("SELECT count(*) FROM correction WHERE article_id = :id", id=article) == [(1,)]


def test_admins_may_still_correct_the_record(desk: Desk, connect: Connect) -> None:
    article = int(desk.story("desk", "--status", "published"))
    dado = connect(ADMIN)
    dado.execute("UPDATE article SET created_at = '2020-01-01' WHERE id = %s", (article,))
    dado.execute(NOTICE, (article, "2020-01-02"))
    assert desk.sql("SELECT count(*) FROM correction WHERE article_id = :id", id=article) == [(1,)]
