"""The reliability suite's eight editors, each now a login of their own with the policies on: four
editors, and four authors who own the shared stories through their byline. Nothing is lost, every
conflict is refused as one, and every revision names the login that made it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.helpers.cli import Cli
from tests.helpers.database import engine_of
from tests.helpers.editors import EDITS, PROCESSES, check_no_lost_update, collect, start_editors
from tests.helpers.roles import PASSWORD, login_url

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres(reason="roles are enforced by PostgreSQL"),
]
STORIES = 5


@pytest.fixture
def logins(cli: Cli, tmp_path: Path) -> Iterator[list[str]]:
    (tmp_path / "pw").write_text(PASSWORD)
    suffix = uuid.uuid4().hex[:6]
    names = []
    for worker in range(PROCESSES):
        role = "editor" if worker < PROCESSES // 2 else "author"
        name = f"w{worker}_{suffix}"
        cli.ok("user", "add", name, "--role", role, "--email", f"w{worker}@balita.example.ph",
               "--password-file", str(tmp_path / "pw"))  # fmt: skip
        if role == "author":
            cli.ok("author", "add", f"Reporter {worker}", "--email", f"w{worker}@balita.example.ph")
        names.append(name)
    yield names
    engine = engine_of(cli.db_url)
    with engine.begin() as connection:
        for name in names:
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    engine.dispose()


def test_eight_logins_fifty_edits_each_lose_nothing_and_sign_every_change(
    cli: Cli, logins: list[str], tmp_path: Path
) -> None:
    byline = [flag for worker in range(PROCESSES // 2, PROCESSES) for flag in ("--author", f"Reporter {worker}")]
    ids = [cli.new(f"Shared story {n}", *byline) for n in range(STORIES)]
    started = start_editors([login_url(cli.db_url, name) for name in logins], ids, tmp_path, EDITS)
    outcomes = collect(started)
    assert len(outcomes) == PROCESSES * EDITS
    check_no_lost_update(cli, ids, outcomes)
    accepted = [o for o in outcomes if o["exit"] == 0]
    assert len(accepted) > PROCESSES  # every login got edits through
    signed = {}
    for article in ids:
        for entry in cli.json("history", str(article), "--format", "json"):
            if entry["version"] > 1:
                signed[entry["note"]] = entry["changed_by"]
    for outcome in accepted:
        worker = int(outcome["token"].split("-")[0][1:])
        assert signed[outcome["token"]] == logins[worker], outcome  # never "worker3", whatever BALITA_USER said
    cli.ok("db", "check")
    assert json.loads(cli.ok("user", "list", "--format", "json").stdout)
